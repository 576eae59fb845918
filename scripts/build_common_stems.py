"""Write src/paperqa/data/common_stems.json: the word stems most computer-science abstracts
use ("propos", "perform", "improv", "train"), with the share of abstracts that use each.

The grounding check reads it: a sentence may use such words without its cited abstract
holding them, since they say how something is described, not what was found. Built from
the arXiv listing in ../shared/data/arxiv (74,728 abstracts, CC0 metadata).

    python scripts/build_common_stems.py [--min-share 0.01]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from pathlib import Path

from paperqa.text.words import stems

ROOT = Path(__file__).resolve().parents[1]
ARXIV = ROOT.parent / "shared" / "data" / "arxiv" / "arxiv_cs_daily_2025-03-18_to_2026-07-01.jsonl.gz"
_LATEX = re.compile(r"\$[^$]*\$|\\[a-zA-Z]+")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=ARXIV)
    parser.add_argument(
        "--min-share", type=float, default=0.01, help="Keep stems used by this share of abstracts."
    )
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "paperqa" / "data" / "common_stems.json")
    args = parser.parse_args()
    df: Counter[str] = Counter()
    n = 0
    with gzip.open(args.source, "rt") as f:
        for line in f:
            row = json.loads(line)
            df.update(stems(_LATEX.sub(" ", row["abstract"])))
            n += 1
    kept = {s: round(c / n, 4) for s, c in df.most_common() if c / n >= args.min_share}
    body = {
        "source": "arXiv cs listings 2025-03-18 to 2026-07-01 (../shared/data/arxiv), abstracts",
        "abstracts": n,
        "min_share": args.min_share,
        "command": "python scripts/build_common_stems.py",
        "stems": kept,
    }
    args.out.write_text(json.dumps(body, indent=0) + "\n")
    print(f"{len(kept)} stems used by at least {args.min_share:.1%} of {n} abstracts -> {args.out}")


if __name__ == "__main__":
    main()
