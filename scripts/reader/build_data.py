"""Build the reader's training and choice examples from the recorded public sources.

Every source file is listed in `scripts/reader/sources.json` with its origin, licence and
sha256; this script refuses a file whose hash differs. It writes JSON Lines of examples
(`{source, group, question, passage, answerable, spans, verdict}`) to `--out`:

- `train.jsonl`: what the reader is fitted on (train splits only);
- `dev.jsonl`: the choice set (QASPER full-text dev paragraphs, QASPER abstract dev,
  SciFact dev), used to pick the epoch and the cuts; reported as dev.

Labels:
- *answerable*: the passage answers the question (a QASPER evidence paragraph or an
  abstract whose answer QASPER's annotators found in it; a SciFact abstract window holding
  a rationale; a SciTLDR abstract for its own summary); 0 for other paragraphs of the
  paper (the closest by shared words first, or with `--read-negatives` those paperqa itself
  reads for the question, then a few at random), for unanswerable questions, and for windows
  without a rationale.
- *spans*: character spans of the passage that answer (QASPER extractive answers found
  verbatim; for free-form answers, the shortest window of at most 30 words with the best
  token F1 against the answer, kept when that F1 is 0.5 or more).
- *verdict*: "yes", "no" or "none" (the passage settles neither) for yes/no questions and
  claims; null when the question is not one. SciFact SUPPORT/REFUTE, QASPER Yes/No, a SciTLDR
  summary ("yes") and the same summary with a negation inserted or removed ("no").

    python scripts/reader/build_data.py [--data ../shared/data] [--out build/reader]
        [--read-negatives build/paragraphs/train]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from paperqa.evals.qasper import normalize_answer, token_f1
from paperqa.text.sentences import sentence_spans, split_sentences
from paperqa.text.words import content_words

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).with_name("sources.json")
SEED = 13
#: Non-evidence paragraphs kept per QASPER full-text question: the closest by shared words
#: (with `--read-negatives`, those paperqa reads for it first), then a few at random (every
#: paragraph would make 30 negatives per positive); of an unanswerable one, a few at random.
HARD_NEGATIVES = 4
RANDOM_NEGATIVES = 2
#: Paragraphs longer than this many words are cut into windows of whole sentences.
WINDOW_WORDS = 170
#: A free-form answer's pseudo-span: at most this many words, kept at this token F1 or more.
PSEUDO_SPAN_WORDS = 30
PSEUDO_SPAN_F1 = 0.5
#: ... and for a free-form answer to count as stated by the abstract.
ABSTRACT_SPAN_F1 = 0.6
_FLOAT = "FLOAT SELECTED"
_NEGATED = re.compile(r"\b(?:not|no|never)\s+", re.IGNORECASE)
_NEGATABLE = re.compile(r"\b(is|are|was|were|can|could|does|do|did|will|would|should|may|has|have)\b")


def check_sources(data: Path) -> dict[str, Path]:
    """name -> path of each recorded source, after checking its sha256."""
    recorded = json.loads(SOURCES.read_text())
    paths = {}
    for name, entry in recorded["files"].items():
        path = data / entry["path"]
        if not path.is_file():
            sys.exit(f"{path}: missing (source {name}, {entry['origin']}); pass --data DIR")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            sys.exit(f"{path}: sha256 {digest} differs from the recorded {entry['sha256']}")
        paths[name] = path
    return paths


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def windows(text: str, words: int = WINDOW_WORDS) -> list[str]:
    """`text` as pieces of whole sentences of at most `words` words (a longer sentence alone)."""
    pieces: list[str] = []
    current: list[str] = []
    n = 0
    for sentence in split_sentences(text):
        size = len(sentence.split())
        if current and n + size > words:
            pieces.append(" ".join(current))
            current, n = [], 0
        current.append(sentence)
        n += size
    if current:
        pieces.append(" ".join(current))
    return pieces or [text]


def find_spans(passage: str, answer: str) -> list[list[int]]:
    """Character spans of `answer` in `passage`: the whole answer, else each of its
    comma-joined parts (QASPER joins an annotator's spans with ", ")."""
    low = passage.lower()
    for parts in ([answer], answer.split(", ")):
        spans = []
        for part in parts:
            part = part.strip().strip(".")
            if len(part) < 2:
                continue
            at = low.find(part.lower())
            if at >= 0:
                spans.append([at, at + len(part)])
        if spans:
            return spans
    return []


_WORD_SPAN = re.compile(r"\S+")


def pseudo_span(passage: str, answer: str, least: float = PSEUDO_SPAN_F1) -> list[list[int]]:
    """The shortest window of the passage's words with the best token F1 against a free-form
    answer (at most `PSEUDO_SPAN_WORDS` words), when that F1 reaches `PSEUDO_SPAN_F1`."""
    words = list(_WORD_SPAN.finditer(passage))
    gold = set(normalize_answer(answer))
    if not words or not gold:
        return []
    best, where = 0.0, None
    for i, w in enumerate(words):
        if not set(normalize_answer(w.group(0))) & gold:
            continue
        for j in range(i, min(i + PSEUDO_SPAN_WORDS, len(words))):
            f1 = token_f1(passage[w.start() : words[j].end()], answer)
            if f1 > best + 1e-9:
                best, where = f1, (w.start(), words[j].end())
    if where is None or best < least:
        return []
    start, end = where
    return [[start, end - (passage[end - 1] in ".,;:")]]


def overlap(question: str, passage: str) -> float:
    asked = content_words(question)
    return len(asked & content_words(passage)) / max(len(asked), 1)


def example(source: str, group: str, question: str, passage: str, answerable: int,
            spans: list[list[int]] | None = None, verdict: str | None = None) -> dict:  # fmt: skip
    return {
        "source": source, "group": group, "question": question, "passage": passage,
        "answerable": answerable, "spans": spans or [], "verdict": verdict,
    }  # fmt: skip


def yes_no(answers: list[str]) -> str | None:
    said = Counter(a.strip().lower() for a in answers if a.strip().lower() in {"yes", "no"})
    return said.most_common(1)[0][0] if said else None


# --- QASPER full text: researchers' questions over whole papers -------------------------


#: For each sentence holding an answer span, this many other sentences of its passage (the
#: closest to the question by shared words) are negatives: the sentence beside the answer is
#: the plausible non-answer an assistant must not quote.
SENTENCE_NEGATIVES = 2


def sentence_examples(
    source: str, group: str, question: str, passage: str, spans: list[list[int]]
) -> Iterator[dict]:
    """Sentence-level examples of a passage with answer spans: each sentence holding a span
    (answerable, the span within it) and its closest neighbours without one (not)."""
    bounds = sentence_spans(passage)
    holding, others = [], []
    for a, b in bounds:
        inside = [[x - a, y - a] for x, y in spans if a <= x and y <= b]
        (holding if inside else others).append((passage[a:b], inside))
    if not holding or len(bounds) < 2:
        return
    for sentence, inside in holding:
        yield example(source, group, question, sentence, 1, inside, None)
    for sentence, _ in sorted(others, key=lambda o: -overlap(question, o[0]))[
        : SENTENCE_NEGATIVES * len(holding)
    ]:
        yield example(source, group, question, sentence, 0, [], None)


def pipeline_reads(home: Path, papers: Path, questions: Path) -> dict[str, list[str]]:
    """Question id -> the body paragraphs paperqa's reader reads for it, asked of its paper as
    `paperqa ask --paper` does (the paragraph reranker's choice among the paper's retrieved
    chunks): the plausible non-answers a whole paper offers, which the reader must tell from
    the answer. The papers are ingested into `home` the first time."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from _fulltext import found, library

    from paperqa.answer.read.evidence import source_paragraphs

    lib = library(papers.parent, "train", home)
    pipeline = lib.tasks.pipeline
    out = {}
    for q in jsonl(questions):
        paper = lib.get(q["paper_id"])
        session = found(pipeline, q["question"], paper.id)
        read = source_paragraphs(session.meant[0]) if session.meant else []
        out[q["id"]] = [p for p in read if p != paper.abstract]
    return out


def qasper_fulltext(
    papers: Path,
    questions: Path,
    rng: random.Random,
    every: bool = False,
    sentences: bool = False,
    read: dict[str, list[str]] | None = None,
) -> Iterator[dict]:
    """Examples from QASPER's whole papers: each evidence paragraph (answerable, with spans
    and a yes/no verdict), and paragraphs that are not evidence: those paperqa reads for the
    question (`read`, from `pipeline_reads`), the closest to it by shared words, a few at
    random. `every`: all of a paper's paragraphs (the choice set reads whole papers)."""
    by_id = {p["id"]: p for p in jsonl(papers)}
    for q in jsonl(questions):
        paper = by_id[q["paper_id"]]
        paragraphs = [p for s in paper["sections"] for p in s["paragraphs"] if len(p.split()) >= 8]
        evidence = {e for ev in q["evidence"] for e in ev if not e.startswith(_FLOAT)}
        group = f"qasper-ft:{q['id']}"
        is_yes_no = q["kind"] == "yes_no"
        said = yes_no(q["answers"]) if is_yes_no else None
        answers = [a for a in q["answers"] if a.strip().lower() not in {"yes", "no"}]
        for paragraph in paragraphs:
            if paragraph not in evidence:
                continue
            for piece in windows(paragraph):
                spans = (
                    [s for a in answers for s in find_spans(piece, a)] if q["kind"] == "extractive" else []
                )
                if not spans and q["kind"] in {"extractive", "abstractive"}:
                    spans = max((pseudo_span(piece, a) for a in answers), key=len, default=[])
                # a long evidence paragraph's window without the answer is no evidence
                answers_here = bool(spans) or len(windows(paragraph)) == 1 or is_yes_no
                yield example("qasper-ft", group, q["question"], piece, int(answers_here), spans,
                              (said if answers_here else "none") if is_yes_no else None)  # fmt: skip
                if sentences and spans:
                    yield from sentence_examples("qasper-ft-sent", group, q["question"], piece, spans)
        others = [p for p in paragraphs if p not in evidence]
        if every:
            others_kept = others
        elif read is not None:  # the paragraphs paperqa reads first, for every kind of question
            first = [p for p in read.get(q["id"], []) if p in others]
            closest = sorted(others, key=lambda p: -overlap(q["question"], p))
            ranked = first + [p for p in closest if p not in first]
            hard = ranked[: max(HARD_NEGATIVES, len(first))]
            rest = [p for p in others if p not in hard]
            others_kept = hard + rng.sample(rest, min(len(rest), RANDOM_NEGATIVES))
        elif q["kind"] == "unanswerable":
            others_kept = rng.sample(others, min(len(others), HARD_NEGATIVES))
        else:
            ranked = sorted(others, key=lambda p: -overlap(q["question"], p))
            hard = ranked[:HARD_NEGATIVES]
            rest = ranked[HARD_NEGATIVES:]
            others_kept = hard + rng.sample(rest, min(len(rest), RANDOM_NEGATIVES))
        for paragraph in others_kept:
            piece = max(windows(paragraph), key=lambda w: overlap(q["question"], w))
            yield example("qasper-ft", group, q["question"], piece, 0, [], "none" if is_yes_no else None)


def qasper_fulltext_abstracts(papers: Path, questions: Path) -> Iterator[dict]:
    """The same questions asked of the paper's abstract alone, as paperqa asks them of an
    abstract-only library: answerable when an annotator's extractive answer is in the abstract
    verbatim or a free-form answer's words are (pseudo-span F1 >= 0.6); else not (about 9 in
    10 of these questions need the paper's body). Yes/no questions are left out: whether the
    abstract settles one cannot be read off the labels."""
    by_id = {p["id"]: p for p in jsonl(papers)}
    for q in jsonl(questions):
        if q["kind"] == "yes_no":
            continue
        abstract = by_id[q["paper_id"]]["abstract"]
        group = f"qasper-ft-abs:{q['id']}"
        spans: list[list[int]] = []
        if q["kind"] == "extractive":
            spans = [s for a in q["answers"] for s in find_spans(abstract, a) if len(a) >= 3]
        elif q["kind"] == "abstractive":
            spans = max(
                (pseudo_span(abstract, a, ABSTRACT_SPAN_F1) for a in q["answers"]), key=len, default=[]
            )
        yield example("qasper-ft-abs", group, q["question"], abstract, int(bool(spans)), spans, None)


# --- QASPER abstracts: the abstract as the passage --------------------------------------


def qasper_abstracts(papers: Path, questions: Path, sentences: bool = False) -> Iterator[dict]:
    by_id = {p["id"]: p for p in jsonl(papers)}
    for q in jsonl(questions):
        abstract = by_id[q["paper_id"]]["abstract"]
        group = f"qasper-abs:{q['id']}"
        if q["kind"] == "unanswerable":
            yield example("qasper-abs", group, q["question"], abstract, 0, [], None)
            continue
        if q["kind"] == "yes_no":
            yield example("qasper-abs", group, q["question"], abstract, 1, [], yes_no(q["answers"]))
            continue
        spans = (
            [s for a in q["answers"] for s in find_spans(abstract, a)] if q["kind"] == "extractive" else []
        )
        if not spans:
            spans = max((pseudo_span(abstract, a) for a in q["answers"]), key=len, default=[])
        yield example("qasper-abs", group, q["question"], abstract, 1, spans, None)
        if sentences and spans:
            yield from sentence_examples("qasper-abs-sent", group, q["question"], abstract, spans)


# --- SciFact: claims supported or refuted by sentences of an abstract --------------------


def scifact(claims: Path, corpus: Path, rng: random.Random, negate: bool) -> Iterator[dict]:
    """A claim against the window of its abstract holding the rationale: "yes" (SUPPORT) or
    "no" (REFUTE); a window without one, or a claim with no evidence: "none". With `negate`,
    each supported claim with a negation inserted is a "no" as well."""
    docs = {d["doc_id"]: d for d in jsonl(corpus)}
    for c in jsonl(claims):
        group = f"scifact:{c['id']}"
        cited = [d for d in c.get("cited_doc_ids", []) if d in docs]
        for doc_id, sets in c["evidence"].items():
            sentences = docs[int(doc_id)]["abstract"]
            label = {"SUPPORT": "yes", "REFUTE": "no"}[sets[0]["label"]]
            rationale = sorted({i for s in sets for i in s["sentences"]})
            lo, hi = max(0, rationale[0] - 1), min(len(sentences), rationale[-1] + 2)
            window = " ".join(sentences[lo:hi])
            yield example("scifact", group, c["claim"], window, 1, [], label)
            if negate and label == "yes" and (flipped := flip_negation(c["claim"])):
                yield example("scifact-neg", group, flipped, window, 1, [], "no")
            outside = [i for i in range(len(sentences)) if i < lo - 1 or i >= hi + 1]
            if len(outside) >= 2:
                start = rng.choice(outside[:-1])
                yield example(
                    "scifact", group, c["claim"], " ".join(sentences[start : start + 3]), 0, [], "none"
                )
        if not c["evidence"] and cited:
            sentences = docs[cited[0]]["abstract"]
            best = max(range(len(sentences)), key=lambda i: overlap(c["claim"], sentences[i]))
            window = " ".join(sentences[max(0, best - 1) : best + 2])
            yield example("scifact", group, c["claim"], window, 0, [], "none")


def flip_negation(sentence: str) -> str | None:
    """The sentence with its first negation removed, or a "not" inserted after its first
    auxiliary verb; None when neither applies."""
    if _NEGATED.search(sentence):
        return _NEGATED.sub("", sentence, count=1)
    m = _NEGATABLE.search(sentence)
    return sentence[: m.end()] + " not" + sentence[m.end() :] if m else None


# --- SciTLDR: a summary stated by its abstract, and the same summary negated ------------


def scitldr(path: Path, rng: random.Random, limit: int) -> Iterator[dict]:
    rows = jsonl(path)
    rng.shuffle(rows)
    for n, row in enumerate(rows[:limit]):
        abstract = " ".join(row["source"])
        if len(abstract.split()) > 2 * WINDOW_WORDS:
            continue
        summary = row["target"][0]
        group = f"scitldr:{n}"
        yield example("scitldr", group, summary, abstract, 1, [], "yes")
        if flipped := flip_negation(summary):
            yield example("scitldr-neg", group, flipped, abstract, 1, [], "no")
        other = rows[(n + 1) % len(rows)]["target"][0]
        yield example("scitldr", group, other, abstract, 0, [], "none")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "reader")
    parser.add_argument("--scitldr", type=int, default=1200, help="SciTLDR train abstracts used.")
    parser.add_argument(
        "--read-negatives", type=Path, metavar="TRAIN_HOME",
        help="Take each QASPER full-text train question's negatives first from the paragraphs "
        "paperqa reads for it, in this library of the train papers (ingested the first time; "
        "build/paragraphs/train is the one `make paragraphs` uses). Measured, not shipped.",
    )  # fmt: skip
    args = parser.parse_args()
    src = check_sources(args.data)
    rng = random.Random(SEED)
    ft_papers, ft_questions = src["qasper_fulltext_train_papers"], src["qasper_fulltext_train_questions"]
    read = pipeline_reads(args.read_negatives, ft_papers, ft_questions) if args.read_negatives else None
    train = [
        *qasper_fulltext(ft_papers, ft_questions, rng, sentences=True, read=read),
        *qasper_fulltext_abstracts(
            src["qasper_fulltext_train_papers"], src["qasper_fulltext_train_questions"]
        ),
        *qasper_abstracts(src["qasper_train_papers"], src["qasper_train_questions"], sentences=True),
        *scifact(src["scifact_train_claims"], src["scifact_corpus"], rng, negate=True),
        *scitldr(src["scitldr_train"], rng, args.scitldr),
    ]
    dev = [
        *qasper_fulltext(src["qasper_fulltext_dev_papers"], src["qasper_fulltext_dev_questions"], rng),
        *qasper_abstracts(src["qasper_dev_papers"], src["qasper_dev_questions"]),
        *scifact(src["scifact_dev_claims"], src["scifact_corpus"], rng, negate=False),
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("dev", dev)):
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
        counts = Counter((r["source"], r["answerable"]) for r in rows)
        spans = sum(bool(r["spans"]) for r in rows)
        print(f"{name}: {len(rows)} examples, {spans} with spans; " + ", ".join(
            f"{s}/{a}: {n}" for (s, a), n in sorted(counts.items())))  # fmt: skip


if __name__ == "__main__":
    main()
