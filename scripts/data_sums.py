"""Write `src/paperqa/data/SHA256SUMS`: the sha256 of every data file paperqa ships there (its
NOTICE aside), which paperqa checks before loading one (`paperqa.index.assets.bundled_file`).
`make ranker`, `make paragraphs`, `make body-sentences`, `make reader` and `make embedder` run it
after a refit or rebuild; `make data-sums` runs it alone.

    python scripts/data_sums.py
"""

from __future__ import annotations

from pathlib import Path

from paperqa.index.assets import SUMS, sha256_of

DATA = Path(__file__).resolve().parents[1] / "src" / "paperqa" / "data"
#: Files in the data folder that are no model or tokenizer: never loaded, not listed.
UNLISTED = {SUMS, "NOTICE.md"}


def main() -> None:
    files = sorted(p for p in DATA.iterdir() if p.is_file() and p.name not in UNLISTED)
    (DATA / SUMS).write_text("".join(f"{sha256_of(p)}  {p.name}\n" for p in files), encoding="utf-8")
    print(f"wrote {DATA / SUMS} ({len(files)} files)")


if __name__ == "__main__":
    main()
