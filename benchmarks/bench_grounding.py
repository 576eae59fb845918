"""Calibrate the grounding check on human-written text: how many faithful sentences it lets
through, how many corrupted copies it catches, and what each rule costs.

Faithful: SciTLDR dev TLDRs (one-sentence summaries written by authors and reviewers)
checked against their own abstract, and QASPER train/dev free-form answers checked against
their paper's abstract. Corrupted: each faithful sentence with one number changed, one name
swapped for a name from another abstract, a negation inserted (or removed), or its subject
replaced by another paper's method, or another paper's TLDR. Reports pass and catch rates
with the words-only rules and with the meaning rule after them (the embedded model's
similarity to the closest abstract sentence, as the product runs it), the rejection
reasons, and the seconds per sentence.

    python benchmarks/bench_grounding.py [--split dev|train] [--limit N] [--show-rejected 30]
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter

from _common import RESULTS, ROOT, header

from paperqa.answer.check.grounding import MAX_CONTRADICTION, MIN_MEANING
from paperqa.answer.read.reader import Reader, bundled_reader
from paperqa.grounding import ground
from paperqa.index.encoder import MiniLM
from paperqa.index.vector_cache import CachedEncoder
from paperqa.text.names import NAME_TOKEN, introduced, terms
from paperqa.text.numbers import NUMBER

DATA = ROOT.parent / "shared" / "data"
_NEGATABLE = re.compile(r"\b(is|are|was|were|can|could|does|do|did|will|would|should|may|has|have)\b")
_NEGATED = re.compile(r"\b(?:not|no|never)\s+", re.IGNORECASE)
_OPENING_SUBJECT = re.compile(r"^(?:We|This (?:paper|work)|The authors|Our (?:method|approach|model))\b")


def faithful_items(limit: int, split: str = "dev") -> list[dict[str, str]]:
    """(sentence, abstract, title, origin) of every faithful sentence: SciTLDR dev and the QASPER
    answers (the report), or SciTLDR train alone (where the rules' sizes are fitted)."""
    items = []
    for line in (DATA / "scitldr" / f"SciTLDR-A-{split}.jsonl").read_text().splitlines():
        row = json.loads(line)
        abstract = " ".join(row["source"])
        for target in dict.fromkeys(row["target"]):
            items.append(
                {"sentence": target, "abstract": abstract, "title": row.get("title", ""), "origin": "scitldr"}
            )
    for qasper_split in ("train", "dev") if split == "dev" else ():
        papers = {
            (p := json.loads(line))["id"]: p
            for line in (DATA / "qasper" / f"{qasper_split}_papers.jsonl").read_text().splitlines()
        }
        for line in (DATA / "qasper" / f"{qasper_split}_questions.jsonl").read_text().splitlines():
            q = json.loads(line)
            if q["kind"] != "abstractive":
                continue
            paper = papers[q["paper_id"]]
            for answer in dict.fromkeys(q["answers"]):
                items.append({
                    "sentence": answer, "abstract": paper["abstract"], "title": paper["title"],
                    "origin": "qasper", "question": q["question"],
                })  # fmt: skip
    return items[:limit] if limit else items


def other_names(items: list[dict[str, str]]) -> list[str]:
    """Names papers give their own methods (from their abstracts), to swap in."""
    names = Counter(n for it in items for n, _ in introduced(it["abstract"]))
    return [n for n, _ in names.most_common()]


def corrupt(item: dict[str, str], kind: str, names: list[str], rng: random.Random) -> str | None:
    """A copy of the sentence with one fact changed, or None when this kind does not apply."""
    s, abstract = item["sentence"], item["abstract"]
    foreign = [
        n for n in names if n.casefold() not in abstract.casefold() and n.casefold() not in s.casefold()
    ]
    if kind == "number":
        found = list(NUMBER.finditer(s))
        if not found:
            return None
        m = rng.choice(found)
        value = m.group(0).replace(",", "")
        new = (
            str(int(float(value)) + rng.choice([1, 2, 3, 7]))
            if "." not in value
            else f"{float(value) + 1.3:.1f}"
        )
        return s[: m.start()] + new + s[m.end() :]
    if kind == "name":
        own = [t for t in terms(s) if NAME_TOKEN.fullmatch(t) and t.casefold() in abstract.casefold()]
        if not own or not foreign:
            return None
        return s.replace(rng.choice(own), rng.choice(foreign[:200]), 1)
    if kind == "negation_removed":
        return _NEGATED.sub("", s, count=1) if _NEGATED.search(s) else None
    if kind == "negation_inserted":
        if _NEGATED.search(s):
            return None
        m = _NEGATABLE.search(s)
        return s[: m.end()] + " not" + s[m.end() :] if m else None
    if kind == "other_paper":  # another paper's TLDR, checked against this abstract
        others = [x for x in others_pool if x["abstract"] != abstract]
        return rng.choice(others)["sentence"] if others else None
    if kind == "subject":
        if not foreign:
            return None
        other = rng.choice(foreign[:200])
        m = _OPENING_SUBJECT.match(s)
        if m:
            return other + s[m.end() :]
        own = [t for t in terms(s) if NAME_TOKEN.fullmatch(t)]
        return s.replace(own[0], other, 1) if own else None
    raise ValueError(kind)


KINDS = ("number", "name", "negation_inserted", "negation_removed", "subject", "other_paper")
others_pool: list[dict[str, str]] = []


def check(item: dict[str, str], sentence: str) -> tuple[bool, str | None, float]:
    """The words-only check (what `ground` does without an embedder)."""
    t = time.perf_counter()
    verdict = ground(sentence, [item["abstract"]], item.get("question", ""), [item["title"]])
    return verdict.ok, verdict.reason, time.perf_counter() - t


def check_meaning(item: dict[str, str], sentence: str) -> tuple[bool, float]:
    """The check as the product runs it with an embedder (`ground(..., meaning=...)`): the
    words, then the meaning rule (the embedded model's cosine to the closest abstract sentence)."""
    t = time.perf_counter()
    verdict = ground(
        sentence, [item["abstract"]], item.get("question", ""), [item["title"]], meaning=similarities
    )
    return verdict.ok, time.perf_counter() - t


def check_reader(item: dict[str, str], sentence: str) -> bool:
    """The reader's rule alone, after the others passed: the abstract does not say otherwise."""
    return reader().contradiction(sentence, item["abstract"]) < MAX_CONTRADICTION


@functools.cache
def reader() -> Reader:
    return bundled_reader()


def similarities(text: str, sentences: list[str]) -> list[float]:
    vectors = meaning_encoder().embed([text, *sentences])
    return [float(v) for v in vectors[1:] @ vectors[0]]


@functools.cache
def meaning_encoder() -> CachedEncoder:
    """The embedded model, its vectors kept in benchmarks/out (re-runs take seconds)."""
    return CachedEncoder(MiniLM(), ROOT / "benchmarks" / "out" / "grounding-vectors.sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument(
        "--show-rejected", type=int, default=0, help="Print this many rejected faithful sentences."
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--split",
        choices=["dev", "train"],
        default="dev",
        help="dev: the report (written to results/); train: where the rules' sizes are fitted.",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items = faithful_items(args.limit, args.split)
    names = other_names(items)
    others_pool.extend(it for it in items if it["origin"] == "scitldr")
    seconds: list[float] = []
    meaning_seconds: list[float] = []
    passed: dict[str, list[bool]] = {"scitldr": [], "qasper": []}
    passed_words: dict[str, list[bool]] = {"scitldr": [], "qasper": []}
    passed_reader: dict[str, list[bool]] = {"scitldr": [], "qasper": []}
    reasons: Counter[str] = Counter()
    rejected = []
    for it in items:
        ok, reason, spent = check(it, it["sentence"])
        seconds.append(spent)
        passed_words[it["origin"]].append(ok)
        if ok:
            ok, spent = check_meaning(it, it["sentence"])
            meaning_seconds.append(spent)
            reason = None if ok else "meaning"
        passed[it["origin"]].append(ok)
        passed_reader[it["origin"]].append(ok and check_reader(it, it["sentence"]))
        if not ok:
            reasons[(reason or "").split(":")[0]] += 1
            rejected.append((it["sentence"], reason))
    caught: dict[str, list[bool]] = {k: [] for k in KINDS}
    caught_words: dict[str, list[bool]] = {k: [] for k in KINDS}
    caught_reader: dict[str, list[bool]] = {k: [] for k in KINDS}
    missed: dict[str, list[str]] = {k: [] for k in KINDS}
    for it in items:
        for kind in KINDS:
            bad = corrupt(it, kind, names, rng)
            if bad is None or bad == it["sentence"]:
                continue
            ok, _, spent = check(it, bad)
            seconds.append(spent)
            caught_words[kind].append(not ok)
            if ok:
                ok, spent = check_meaning(it, bad)
                meaning_seconds.append(spent)
            caught[kind].append(not ok)
            caught_reader[kind].append(not ok or not check_reader(it, bad))
            if ok:
                missed[kind].append(bad)
    result = {
        **header("bench_grounding.py"),
        "split": args.split,
        "faithful_sentences": {k: len(v) for k, v in passed.items()},
        "faithful_passed": {k: round(statistics.fmean(v), 3) for k, v in passed.items() if v},
        "faithful_passed_all": round(statistics.fmean(passed["scitldr"] + passed["qasper"]), 3),
        "faithful_passed_words_only": {
            k: round(statistics.fmean(v), 3) for k, v in passed_words.items() if v
        },
        "faithful_passed_with_reader": {
            k: round(statistics.fmean(v), 3) for k, v in passed_reader.items() if v
        },
        "faithful_passed_all_with_reader": round(
            statistics.fmean(passed_reader["scitldr"] + passed_reader["qasper"]), 3
        ),
        "rejection_reasons": dict(reasons.most_common()),
        "corrupted": {k: len(v) for k, v in caught.items()},
        "corrupted_caught": {k: round(statistics.fmean(v), 3) for k, v in caught.items() if v},
        "corrupted_caught_with_reader": {
            k: round(statistics.fmean(v), 3) for k, v in caught_reader.items() if v
        },
        "max_contradiction": MAX_CONTRADICTION,
        "corrupted_caught_words_only": {
            k: round(statistics.fmean(v), 3) for k, v in caught_words.items() if v
        },
        "min_meaning": MIN_MEANING,
        "ms_per_sentence": round(1000 * statistics.fmean(seconds), 3),
        "meaning_ms_per_sentence_checked": round(1000 * statistics.fmean(meaning_seconds), 3)
        if meaning_seconds
        else None,
    }
    print(json.dumps(result, indent=1))
    for sentence, reason in rng.sample(rejected, min(args.show_rejected, len(rejected))):
        print(f"REJECTED ({reason}): {sentence}", file=sys.stderr)
    for kind, bad in missed.items():
        for sentence in bad[:3]:
            print(f"MISSED {kind}: {sentence}", file=sys.stderr)
    if not args.limit and args.split == "dev":
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "grounding.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
