"""Evidence first: which source sentences answer a question (scored and selected by the
question's kind), and whether a sentence settles a yes/no question.

Pure functions over pydantic objects (the embedding ranker is passed in), tested
with tables of cases.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from paperqa.answer.find import parts
from paperqa.answer.find.listing import contribution_sentence
from paperqa.answer.read.ranking import BODY_FEATURES, FEATURES, Idf, bundled_models, features, gate_features
from paperqa.answer.read.reader import ReadResult
from paperqa.answer.screening import looks_like_instruction
from paperqa.answer.understand.intent import Intent, QuestionKind, read_intent
from paperqa.text.numbers import count_stated, counts_data
from paperqa.text.patterns import NEGATION
from paperqa.text.sentences import split_sentences
from paperqa.text.wordlists import CLAIM_WORDS, STOPWORDS
from paperqa.text.words import WORD, content_words, fold, stems
from paperqa.types import Paper, Source

#: (query, texts) -> similarity of each text to the query.
Ranker = Callable[[str, Sequence[str]], list[float]]

# Which papers answer: how close a sentence is to the question across papers (the learned
# ranker compares sentences within one abstract), with why:
#: meaning first: the embedder knows paraphrases the question's words miss.
WEIGHT_MEANING = 0.7
#: words second: a sentence sharing the question's rare words ("Jacobian") is often the one.
WEIGHT_WORDS = 0.3
#: a paper the question names by name is what the question is about.
NAMED_PAPER_BONUS = 0.15
#: retrieval's order is a weak prior: the first RANK_PRIOR_SOURCES sources get up to this much.
RANK_BONUS = 0.05
RANK_PRIOR_SOURCES = 3
#: the sentence holds a name the question uses other than the paper's own ("What is PrISM
#: used for?"): as rare a signal as BM25's exact match.
TERM_BONUS = 0.2
#: papers whose best sentence is under this share of the best paper's are left out: a weak
#: match from a side paper would dilute a good answer.
KEEP_SHARE = 0.75

# Which sentences of a paper answer: the learned ranker's probability (`answer.ranking`),
# plus what QASPER has too few questions of to learn, in its logit units:
#: for "what is X?", the sentence introducing or defining X ("we propose X, a ...") answers it
#: first, even when another sentence about X is closer in meaning to the short question.
DEFINITION_PRIOR = 1.5
#: for "which evaluation framework ...?", the sentence naming a new framework together with
#: the words "evaluation framework" ("we develop an evaluation framework, DiffROAR").
HEAD_PRIOR = 1.0
#: for a whole paper, a sentence of the body paragraph the paragraph reranker puts first (half
#: for the second, ...; `find.paragraphs`). QASPER full-text train, evidence F1 / recall of the
#: paper's answers: 0 -> 0.319 / 0.433, 0.25 -> 0.330 / 0.443, 0.5 -> 0.328 / 0.444, 1 -> 0.329 /
#: 0.443 (yes/no right 0.056 -> 0.037 from 1 up), 2 -> 0.336 / 0.444; dev 0 -> 0.354 / 0.427,
#: 0.5 -> 0.391 / 0.434.
PARAGRAPH_PRIOR = 0.5
#: for a list question, a sentence saying what the paper contributes ("we propose ...") is a
#: better one-line entry than its background.
CONTRIBUTION_PRIOR = 0.4
#: a paper's further sentence answers too when its probability is at least this share of the
#: paper's best one (fitted on QASPER dev against the seed questions; see RESULTS.md).
SECOND_SHARE = 0.6

#: for one whole paper asked alone, what the reader makes of each sentence's paragraph (the
#: abstract counts as one): its logit that the paragraph answers, times READ_PRIOR, and
#: SPAN_PRIOR for the sentence holding the words the reader picked there (`paragraph_priors`).
#: The whole-paper sentence model is fitted without them: the reader was tuned on QASPER
#: full-text train, so its signals look better on train than they are. Chosen on QASPER
#: full-text dev over READ_PRIOR 0.25 / 0.5 / 1 x SPAN_PRIOR 0 / 0.5 / 1 / 2 (gold-token
#: recall of three sentences, the first in the gold evidence answering): none 0.539 / 0.239,
#: 0.5 and 1 0.564 / 0.259 (train 0.509 / 0.197 -> 0.580 / 0.260); SPAN_PRIOR 2 is worse
#: on dev (0.532) though best on train.
READ_PRIOR = 0.5
SPAN_PRIOR = 1.0
#: for a whole paper asked how big a data set is, a sentence counting data ("25k tweets"):
#: chosen on QASPER full-text train's 24 such questions (recall of the paper's answers 0 ->
#: 0.741, 1 -> 0.769, 2 -> 0.761, 3 -> 0.757), checked on dev's 17 (0 -> 0.588, 1 -> 0.696).
DATA_SIZE_PRIOR = 1.0
#: for a whole paper asked "how many X ...?", a sentence counting X ("three annotators"):
#: chosen on QASPER full-text train's 22 such questions (recall of the paper's answers, the
#: unanswerable counted as 0: 0 -> 0.406, 0.5 -> 0.448, 1 -> 0.470, 2 -> 0.470), checked on
#: dev's 19 (0 -> 0.237, 1 -> 0.260; evidence F1 0.156 -> 0.209).
COUNT_PRIOR = 1.0

#: a sentence needs this many content words to say something.
MIN_CONTENT_WORDS = 3
#: share of a yes/no question's words a sentence must hold for its polarity to be the verdict.
VERDICT_COVERAGE = 0.75


#: A code or data availability notice, a URL, or the first page's contact lines (an e-mail
#: address, "* Correspondence: ..."): nothing a question is answered by.
_NOT_EVIDENCE = re.compile(
    r"https?://|\bgithub\.com\b|\b(?:code|data|dataset|models?|implementation)s? (?:is|are|will be) "
    r"(?:publicly |freely )?(?:available|released)\b|[\w.+-]+@[\w-]+\.[a-z]{2,}|\bcorrespondence:",
    re.IGNORECASE,
)

#: What reads as no sentence, whatever the splitter made of it: a table's rows and headers run
#: together or a formula ("ˆ ˆ CLS USR CITE REC Avg.", "norm=None lowercase=True.", "SPECTER
#: 84.2 88.4 91.5 36.9 80.0 − abstract 82.2 ..."), a whole table of quotes. Measured on the ten
#: real PDFs' sentences (tests/data/pdf/real; read: tables, formulas, author lists and
#: affiliations), the 2,482 sentences of QASPER full-text dev's gold evidence and 38,621 of
#: 5,000 arXiv abstracts, written by people: the rules take 65 of the PDFs' 2,244 body
#: sentences, 21 of QASPER's (every one a heading, "Methods ::: Fine-tuning ::: Random Forest", a
#: caption, "FLOAT SELECTED: Table 2.", "Brady et al." or a formula) and 5 of the abstracts' (2
#: links, a numbered list, 2 of over 150 words the splitter left whole). No function word and
#: fewer than this many lowercase words, the first word counted: a row or a heading ("Robust
#: decision-making requires compression." has three).
PROSE_MIN_LOWER_WORDS = 3
#: Numbers are at least this share of the tokens, and at least `TABLE_MIN_NUMBERS` of them.
TABLE_NUMBER_SHARE = 0.4
TABLE_MIN_NUMBERS = 3
#: Longer is text run together: 10 of 154,623 arXiv abstract sentences are, 5 of the PDFs'
#: (tables, a page of quoted comments); no gold evidence sentence is over 100 words.
MAX_SENTENCE_WORDS = 150
_LOWER_WORD = re.compile(r"(?<![\w=])[a-z][a-z'-]+(?![\w=])")
_NUMBER = re.compile(r"^[(\[+−±-]?\d[\d.,%]*[)\]*]?[,;.]?$")


def reads_as_prose(sentence: str) -> bool:
    """Whether `sentence` reads as a sentence, not a table's rows, a formula or text run
    together (see `PROSE_MIN_LOWER_WORDS`)."""
    tokens = sentence.split()
    if not tokens or len(tokens) > MAX_SENTENCE_WORDS:
        return False
    numbers = sum(bool(_NUMBER.match(t)) for t in tokens)
    if numbers >= TABLE_MIN_NUMBERS and numbers >= TABLE_NUMBER_SHARE * len(tokens):
        return False
    if any(w in STOPWORDS for w in WORD.findall(fold(sentence))):
        return True
    # a sentence's first word is capitalised ("Alpha beta gamma.")
    opening = _LOWER_WORD.fullmatch(tokens[0][:1].lower() + tokens[0][1:].rstrip(".,;:")) is not None
    return len(_LOWER_WORD.findall(sentence)) + opening >= PROSE_MIN_LOWER_WORDS


#: A sentence that ends with a question mark (then maybe a closing quote or bracket).
_ASKS = re.compile(r"\?[\s\"'\u201d\u2019)\]]*$")


def asks(sentence: str) -> bool:
    """The sentence is a question the paper asks ("Can annotator agreement be improved?"): it
    frames a summary but answers no question, however many of the question's words it holds."""
    return _ASKS.search(sentence) is not None


@dataclass(frozen=True)
class Evidence:
    """A source sentence chosen to answer a question."""

    number: int  # the source's number
    paper: Paper
    sentence: str  # as the abstract has it
    position: int  # its index among the source's sentences
    score: float  # the probability that it answers, among its paper's sentences
    relevance: float = 0.0  # how close its paper is to the question, across papers
    answerable: float = 1.0  # the gate's probability that its paper's abstract answers at all


def source_sentences(source: Source) -> list[str]:
    """The source's sentences that can be evidence (`evidence_sentences`)."""
    return evidence_sentences(source.text)


def evidence_sentences(text: str) -> list[str]:
    """The sentences of `text` that can be evidence: saying something (three content words
    or more) as a sentence does (`reads_as_prose`), once each; never an instruction-like
    sentence (a prompt injection), a code or data availability notice, a URL or an e-mail
    address."""
    return list(
        dict.fromkeys(
            s
            for s in split_sentences(text)
            if len(content_words(s)) >= MIN_CONTENT_WORDS
            and reads_as_prose(s)
            and not looks_like_instruction(s)
            and not _NOT_EVIDENCE.search(s)
        )
    )


def score_sentences(
    intent: Intent,
    sources: Sequence[Source],
    rank: Ranker,
    idf: Idf | None = None,
    reads: Mapping[str, ReadResult] | None = None,
) -> list[Evidence]:
    """Every usable source sentence scored as evidence for the question: papers in order of
    relevance (meaning and words across papers, a named paper, retrieval's order), each
    paper's sentences in order of the learned ranker's probability that they answer (for a
    whole paper's abstract and body paragraphs, but in a list, the whole-paper sentence
    model's: `ranking.Models.body` over `body_features`, with the reader's `reads` of its
    paragraphs when given: `paragraph_priors`)."""
    models, idf = bundled_models(), idf or _no_idf
    model = models.ranker
    scored: list[Evidence] = []
    for position, source in enumerate(sources):
        sentences = source_sentences(source)
        if not sentences:
            continue
        rows, logits = sentence_rows(intent, source, sentences, rank, idf)
        column = {name: rows[:, i] for i, name in enumerate(FEATURES)}
        blended = model.blended(rows)
        if source.paper.sections and intent.kind != QuestionKind.LIST:
            logits = models.body.logits(np.hstack([rows, body_features(source, sentences, logits)]))
            if reads:
                logits = logits + paragraph_priors(source.paper, sentences, reads)
            logits = logits + count_priors(intent, sentences)
        near = WEIGHT_MEANING * column["cosine"] + WEIGHT_WORDS * column["overlap"]
        near += TERM_BONUS * column["asked_name"]
        prior = NAMED_PAPER_BONUS * any(p.named for p in source.passages)
        prior += RANK_BONUS * max(0, RANK_PRIOR_SOURCES - position) / RANK_PRIOR_SOURCES
        relevance = round(float(near.max()) + prior, 4)
        gate = gate_features(intent, rows, blended, f"{source.paper.title} {' '.join(sentences)}", idf)
        answerable = round(float(models.gate.probabilities(gate[None, :])[0]), 4)
        for i, (sentence, logit) in enumerate(zip(sentences, logits, strict=True)):
            probability = round(1.0 / (1.0 + math.exp(-float(logit))), 4)
            scored.append(
                Evidence(source.number, source.paper, sentence, i, probability, relevance, answerable)
            )
    return sorted(scored, key=lambda e: (-e.relevance, -e.score))


def count_priors(intent: Intent, sentences: Sequence[str]) -> np.ndarray:
    """Per sentence, in logit units: `DATA_SIZE_PRIOR` when the question asks how big a data
    set is and the sentence counts data, `COUNT_PRIOR` when it asks "how many X" and the
    sentence counts X."""
    out = np.zeros(len(sentences))
    for i, sentence in enumerate(sentences):
        if intent.data_size and counts_data(sentence):
            out[i] += DATA_SIZE_PRIOR
        if intent.counted and count_stated(intent.counted, sentence):
            out[i] += COUNT_PRIOR
    return out


def sentence_rows(
    intent: Intent, source: Source, sentences: Sequence[str], rank: Ranker, idf: Idf
) -> tuple[np.ndarray, np.ndarray]:
    """The sentences' `FEATURES` rows and their scores (logit units) by the abstract ranker
    with the priors above."""
    model = bundled_models().ranker
    rows = features(intent, sentences, rank(intent.question, sentences), idf, source.paper.title)
    column = {name: rows[:, i] for i, name in enumerate(FEATURES)}
    logits = model.score(rows, intent.kind) + DEFINITION_PRIOR * column["defines"]
    logits += HEAD_PRIOR * column["head"]
    logits += PARAGRAPH_PRIOR * _paragraph_order(source, sentences)
    if intent.kind == QuestionKind.LIST:
        logits += CONTRIBUTION_PRIOR * column["contribution"]
    return rows, logits


#: Each of `BODY_FEATURES`' column.
_BODY = {name: i for i, name in enumerate(BODY_FEATURES)}


def body_features(source: Source, sentences: Sequence[str], scores: np.ndarray) -> np.ndarray:
    """One row of `ranking.BODY_FEATURES` per sentence of a whole paper's source (its abstract,
    then its chosen body paragraphs), `scores` being `sentence_rows`'s."""
    out = np.zeros((len(sentences), len(BODY_FEATURES)))
    out[:, _BODY["score"]] = scores
    out[:, _BODY["paragraph_order"]] = _paragraph_order(source, sentences)
    paper = source.paper
    role_of = parts.roles(paper)
    section_of = {p: i for i, section in paper.body for p in section.paragraphs}
    paragraphs: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        place = paper.place_of(s)
        out[i, _BODY["abstract"]] = place is None
        paragraphs.setdefault(place.paragraph if place else paper.abstract, []).append(i)
        role = role_of.get(section_of.get(place.paragraph, -1)) if place else None
        if role in _BODY:
            out[i, _BODY[role]] = 1.0
    for members in paragraphs.values():
        for k, i in enumerate(members):
            out[i, _BODY["opens_paragraph"]] = k == 0
            out[i, _BODY["place_in_paragraph"]] = k / len(members)
    return out


def source_paragraphs(source: Source) -> list[str]:
    """What the reader reads of a whole paper's source for `paragraph_priors`: the paragraph
    of each of its evidence sentences, once each (the abstract as one)."""
    return list(dict.fromkeys(_paragraph_of(source.paper, s) for s in source_sentences(source)))


def paragraph_priors(paper: Paper, sentences: Sequence[str], reads: Mapping[str, ReadResult]) -> np.ndarray:
    """Per sentence, in logit units: `READ_PRIOR` times the reader's logit that its paragraph
    answers, plus `SPAN_PRIOR` when it holds the words the reader picked in that paragraph."""
    out = np.zeros(len(sentences))
    for i, sentence in enumerate(sentences):
        read = reads.get(_paragraph_of(paper, sentence))
        if read is None:
            continue
        p = min(max(read.p, 1e-4), 1 - 1e-4)
        span = read.span.text.strip() if read.span else ""
        holds = bool(span) and (span in sentence or sentence in span)
        out[i] = READ_PRIOR * math.log(p / (1 - p)) + SPAN_PRIOR * holds
    return out


def _paragraph_of(paper: Paper, sentence: str) -> str:
    place = paper.place_of(sentence)
    return place.paragraph if place else paper.abstract


def _paragraph_order(source: Source, sentences: Sequence[str]) -> np.ndarray:
    """For each sentence of a whole paper's source, 1 / its body paragraph's place in the source
    (1 for the first, the reranker's best; `find.sources.with_body`); 0 for the abstract's, and
    for every sentence of a paper without a body."""
    out = np.zeros(len(sentences))
    if not source.paper.sections:
        return out
    at = []  # where each sentence's body paragraph starts in the source (-1: none, the abstract)
    for s in sentences:
        place = source.paper.place_of(s)
        at.append(source.text.find(place.paragraph) if place else -1)
    starts = sorted({a for a in at if a > 0})
    for i, a in enumerate(at):
        if a > 0:
            out[i] = 1.0 / (1 + starts.index(a))
    return out


def _no_idf(stem: str) -> float:
    return 1.0


def select(
    intent: Intent,
    sources: Sequence[Source],
    rank: Ranker,
    *,
    idf: Idf | None = None,
    limit: int = 3,
    per_source: int = 2,
    max_words: int | None = None,
    second_share: float = SECOND_SHARE,
    reads: Mapping[str, ReadResult] | None = None,
    statements: bool = False,
) -> list[Evidence]:
    """The sentences that answer the question, the one that answers it best first: from the
    most relevant paper and those close to it, each paper's best sentence and the ones nearly
    as good. For a list question, each paper's best sentence (one per paper). With
    `statements`, never a question the paper asks (`asks`): an answer's evidence states."""
    scored = score_sentences(intent, sources, rank, idf, reads)
    if statements:
        scored = [e for e in scored if not asks(e.sentence)]
    if not scored:
        return []
    if intent.kind == QuestionKind.LIST:
        per_source = 1
    floor = KEEP_SHARE * scored[0].relevance
    best_of: dict[int, float] = {}
    for e in scored:
        best_of.setdefault(e.number, e.score)
    picked: list[Evidence] = []
    used: dict[int, int] = {}
    words = 0
    for e in scored:
        if e.relevance < floor or len(picked) == limit:
            break
        n_words = len(e.sentence.split())
        if (
            used.get(e.number, 0) >= per_source
            or e.score < second_share * best_of[e.number]
            or (max_words and picked and words + n_words > max_words)
        ):
            continue
        picked.append(e)
        used[e.number] = used.get(e.number, 0) + 1
        words += n_words
    return picked


#: A sentence that asks, aims or doubts does not settle a yes/no question, however many of its
#: words it holds: "To assess if X predicts Y", "explored whether", "It is unclear whether".
_UNSETTLED = re.compile(
    r"\bwhether\b|\?\s*$|^to (?:assess|determine|evaluate|investigate|examine|compare|explore|test|"
    r"study|analy[sz]e)\b|\b(?:aims?|aimed|purpose|objectives?|goals?|hypothes[ie]s|hypothesi[sz]ed|"
    r"unclear|unknown|controversial|debated|claimed|question|sought|planned|might)\b"
    r"|\b(?:assess|evaluat|investigat|examin|explor|determin)\w* if\b"
    # "we evaluate the effectiveness of X", "comment on the impact of X": what was studied, not found
    r"|\b(?:assess|evaluat|investigat|examin|explor|measur|stud(?:y|ied|ies)|analy[sz]|test|comment\w* on|"
    r"discuss)\w* (?:the |its |their )?(?:effect|effectiveness|efficacy|impact|usefulness|role|importance|"
    r"benefits?|influence|value|validity)\b",
    re.IGNORECASE,
)


def verdict(intent: Intent, sentence: str) -> str | None:
    """ "Yes" or "No" when the sentence states the answer to a yes/no question: it is about
    the question's own subject ("Is English ...?" needs "English"), it holds most of the
    question's claim (its content words and the words a claim turns on: "same", "more",
    "only"), it does not ask, aim or doubt ("whether", "to assess if", "we evaluate the
    effectiveness of"), and its polarity (a negation or none) is the answer. None when the
    sentence does not settle it."""
    if intent.kind != QuestionKind.YESNO:
        return None
    asked, turns_on = claim_stems(intent.question)
    said, turns = claim_stems(sentence)
    holds = len(asked & said) >= VERDICT_COVERAGE * len(asked) and turns_on <= turns
    if not asked or not holds or not intent.subject <= said or _UNSETTLED.search(sentence):
        return None
    return "No" if NEGATION.search(sentence) else "Yes"


def claim_stems(text: str) -> tuple[set[str], set[str]]:
    """(content stems of `text` with the words a claim turns on, those words alone: "same")."""
    turns = {w for w in WORD.findall(fold(text)) if w in CLAIM_WORDS}
    return stems(text) | turns, turns


def best_per_paper(
    intent: Intent, sources: Sequence[Source], rank: Ranker, idf: Idf, limit: int
) -> list[Evidence]:
    """Each source's best sentence on the question's topic, in the order of `sources`; for a
    question about what papers propose, the sentence saying a paper contributes the topic
    when it has one."""
    best: dict[int, Evidence] = {}
    said: set[int] = set()  # sources whose chosen sentence says they contribute the topic
    topic = set(intent.topic_stems)
    for e in score_sentences(read_intent(intent.topic).as_kind(QuestionKind.LIST), sources, rank, idf):
        if intent.contribution and e.number not in said and contribution_sentence(e.sentence, topic):
            best[e.number] = e
            said.add(e.number)
        best.setdefault(e.number, e)
    return [best[s.number] for s in sources if s.number in best][:limit]
