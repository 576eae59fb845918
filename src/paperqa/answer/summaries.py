"""`summarize`: one cited paragraph (or one sentence) on a paper, or one paragraph across
the library's papers on a topic."""

from __future__ import annotations

from paperqa.answer.check.checking import Rules
from paperqa.answer.conversation import Conversation
from paperqa.answer.find.gate import relevant
from paperqa.answer.find.sources import fit_budget, make_source, summary_passages
from paperqa.answer.pipeline import Draft, Pipeline
from paperqa.answer.read.evidence import Evidence, Ranker, select
from paperqa.answer.read.ranking import Idf
from paperqa.answer.run import Run
from paperqa.answer.understand.intent import Intent, QuestionKind, read_intent
from paperqa.answer.write import aspects, extractive
from paperqa.text.sentences import split_sentences
from paperqa.types import Answer, CitedSentence, Paper, Source

SUMMARY_WORDS = 130
TLDR_WORDS = 35
#: A model's one-sentence summary longer than this many times TLDR_WORDS is no TLDR.
TLDR_GROWTH = 2
#: A topic summary reads this many passages and quotes one sentence from each of up to 4 papers.
TOPIC_PASSAGES = 12
TOPIC_PAPERS = 5
TOPIC_SENTENCES = 4
#: What a whole paper's summary quotes from its body beside its abstract.
SUMMARY_ASPECTS = ("Approach", "Key results")


def summarize_paper(pipeline: Pipeline, paper: Paper, run: Run, *, tldr: bool, strict: bool) -> Answer:
    """One cited paragraph (or with `tldr`, one sentence) on one paper: of its abstract and,
    for a whole paper, the lead paragraphs of the parts its method and results are read from
    (`aspects.BODY_PARTS`); a TLDR is the abstract's."""
    question = f"{'TLDR' if tldr else 'Summarize'}: {paper.title}"
    roles = [role for aspect in SUMMARY_ASPECTS for role, _ in aspects.BODY_PARTS[aspect]]
    passages = summary_passages(paper, roles)
    sources, rank = [make_source(1, paper, passages[:1] if tldr else passages)], pipeline.ranker()

    def draft() -> Draft:
        rules = Rules(strict=strict, summary_words=None if tldr else SUMMARY_WORDS)
        shown = fit_budget(sources, pipeline.budget())
        written = pipeline.draft(
            "tldr" if tldr else "summarize", {"title": paper.title}, paper.title, shown, rules, run
        )
        if not tldr or written.failure:
            return written
        sentences = [s for s in written.sentences if s.supported][:1]
        if not sentences or len(sentences[0].text.split()) > TLDR_GROWTH * TLDR_WORDS:
            return Draft(written.raw, [], "the model wrote no short supported sentence")
        return Draft(written.raw, sentences, None)

    def quote() -> list:
        if tldr:
            return extractive.central_sentence(sources[0], rank)
        return paper_summary(sources[0], rank, SUMMARY_WORDS)

    return pipeline.compose("summarize", question, sources, Conversation(), run, quote=quote, draft=draft)


def paper_summary(source: Source, rank: Ranker, max_words: int = SUMMARY_WORDS) -> list[CitedSentence]:
    """A whole paper's summary: the abstract's opening and central sentences (`lead_summary`),
    then the sentence of its method sections that states what the paper does and the one of its
    results sections that states what it found (`aspects.body_quote`, from the paragraphs
    `find.parts` gives the summary's source), each cited to its section and page; within
    `max_words`. A part with no such sentence adds none; a paper without a body: the abstract's
    `lead_summary`."""
    paper = source.paper
    if not any(p.section is not None for p in source.passages):
        return extractive.lead_summary(source, rank, max_words)
    body = [q for a in SUMMARY_ASPECTS if (q := aspects.body_quote(paper, source.number, a, rank))]
    room = max_words - sum(len(q.text.split()) for q in body)
    lead = source.model_copy(update={"text": paper.abstract})
    most = extractive.SUMMARY_SENTENCES - len(body)
    return [*(extractive.lead_summary(lead, rank, room, most) if room > 0 else []), *body]


def summarize_topic(pipeline: Pipeline, topic: str, run: Run, *, strict: bool) -> Answer:
    """One cited paragraph on what the library's papers say about a (checked) topic."""
    conversation = Conversation()
    question = f"Summarize topic: {topic}"
    chunks = pipeline.retrieve(run, topic, k=TOPIC_PASSAGES)
    if not relevant(pipeline.settings.retrieval, chunks):
        return pipeline.decline("summarize", question, chunks, conversation, run)
    first_per_paper = list({c.paper_id: c for c in reversed(chunks)}.values())[::-1][:TOPIC_PAPERS]
    sources, rank = pipeline.sources(first_per_paper), pipeline.ranker()

    def draft() -> Draft:
        shown = fit_budget(sources, pipeline.budget())
        rules = Rules(strict=strict, summary_words=SUMMARY_WORDS)
        return pipeline.draft("summarize_topic", {"topic": topic}, topic, shown, rules, run)

    def quote() -> list:
        intent = read_intent(topic).as_kind(QuestionKind.GENERAL)
        idf = pipeline.idf()
        chosen = select(
            intent, sources, rank, idf=idf, limit=TOPIC_SENTENCES, per_source=1, max_words=SUMMARY_WORDS
        )
        chosen = own_findings(intent, chosen, {s.number: s for s in sources}, rank, idf)
        return extractive.quote_evidence(chosen, pipeline.labels(sources))

    return pipeline.compose("summarize", question, sources, conversation, run, quote=quote, draft=draft)


def own_findings(
    intent: Intent, chosen: list[Evidence], by_number: dict[int, Source], rank: Ranker, idf: Idf
) -> list[Evidence]:
    """The topic summary's sentences with each background sentence ("Sentiment analysis aims
    to uncover emotions ...": what the field is, not what the paper found) replaced by that
    paper's best sentence of its own, within the summary's words."""
    out: list[Evidence] = []
    words = 0
    for e in chosen:
        own = findings(by_number[e.number])
        if e.sentence not in own.text:  # a background sentence
            e = next(iter(select(intent, [own], rank, idf=idf, limit=1, per_source=1)), e)
        n = len(e.sentence.split())
        if out and words + n > SUMMARY_WORDS:
            break
        out.append(e)
        words += n
    return out


def findings(source: Source) -> Source:
    """The source reduced to what its paper does and finds: its abstract without the
    background sentences before the contribution ("Sentiment analysis aims to uncover
    emotions ..." says what the field is, not what the paper found). A topic summary quotes
    one sentence a paper; it should be the paper's own."""
    sentences = split_sentences(source.paper.abstract)
    own = [s for s, aspect in zip(sentences, aspects.classify(sentences), strict=True) if aspect != "Problem"]
    return source.model_copy(update={"text": " ".join(own)}) if own else source
