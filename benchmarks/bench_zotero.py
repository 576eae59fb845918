"""A Zotero library of 5,000 items kept in sync: the first ingest, then the same ingest after 10
items changed (3 edited, 4 added, 3 deleted, with --prune).

The database is built from Zotero's own schema files the way Zotero stores items
(`tests/zotero_db.py`); abstracts are arXiv abstracts (../shared/data/arxiv, CC0) so that
embedding costs what it does on real papers.

    python benchmarks/bench_zotero.py [--items 5000]     # writes benchmarks/results/zotero.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

from _common import ARXIV, RESULTS, ROOT, header

sys.path.insert(0, str(ROOT))
from tests.zotero_db import ZoteroDB  # noqa: E402

from paperqa.library import Library  # noqa: E402
from paperqa.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args()
    records = []
    with gzip.open(ARXIV, "rt") as f:
        for line in f:
            records.append(json.loads(line))
            if len(records) >= args.items + 10:
                break
    out: dict[str, object] = {**header("bench_zotero.py"), "items": args.items}
    with tempfile.TemporaryDirectory() as tmp:
        zotero = ZoteroDB(Path(tmp) / "Zotero")
        started = time.perf_counter()
        ids = []
        for r in records[: args.items]:
            ids.append(
                zotero.add(
                    "preprint",
                    {
                        "title": r["title"],
                        "abstractNote": r["abstract"],
                        "date": r["listing_date"],
                        "archiveID": f"arXiv:{r['id']}",
                    },
                    creators=[
                        (a.split()[-1], " ".join(a.split()[:-1]) or None, "author") for a in r["authors"][:3]
                    ],
                )  # fmt: skip
            )
        out["build_seconds"] = round(time.perf_counter() - started, 1)
        library = Library(Settings(home=Path(tmp) / "lib"))
        started = time.perf_counter()
        first = library.ingest([zotero.folder])
        out["first_ingest"] = {"seconds": round(time.perf_counter() - started, 1), "added": len(first.added)}
        for item in ids[:3]:
            zotero.change(item, "abstractNote", "An edited abstract: we now report what changed in depth.")
        for r in records[args.items : args.items + 4]:
            zotero.add("preprint", {"title": r["title"], "abstractNote": r["abstract"]})
        for item in ids[-3:]:
            zotero.delete(item)
        started = time.perf_counter()
        second = library.ingest([zotero.folder], prune=True)
        seconds = time.perf_counter() - started
        out["second_ingest"] = {
            "seconds": round(seconds, 1),
            "added": len(second.added),
            "updated": len(second.updated),
            "removed": len(second.removed),
            "unchanged": len(second.unchanged),
        }
        out["second_over_first"] = round(seconds / out["first_ingest"]["seconds"], 3)  # type: ignore[index]
        out["papers_after"] = library.stats().papers
    print(json.dumps(out, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "zotero.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
