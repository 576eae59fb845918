"""`ask`: a few cited sentences answering a question from the library; for a question
about several papers, one sentence per relevant paper; for a question about the papers'
records, sentences read from the records."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from paperqa.answer.check.checking import Rules
from paperqa.answer.conversation import Conversation
from paperqa.answer.find.gate import NOT_IN_LIBRARY, UNNAMED_PAPER, confident, relevant
from paperqa.answer.find.listing import (
    LIST_PAPERS,
    LIST_PASSAGES,
    LIST_RARE_SHARE,
    interleave,
    list_queries,
    list_sources,
    with_contributors,
)
from paperqa.answer.find.resolve import find_papers
from paperqa.answer.find.sources import fit_budget, with_body
from paperqa.answer.pipeline import Draft, Pipeline
from paperqa.answer.quoting import clean, paper_label
from paperqa.answer.read import reading
from paperqa.answer.read.evidence import Evidence, Ranker, best_per_paper, score_sentences, select, verdict
from paperqa.answer.read.ranking import Idf
from paperqa.answer.read.reader import ReadResult
from paperqa.answer.run import Run
from paperqa.answer.understand.intent import Intent, QuestionKind, read_intent, refers_back
from paperqa.answer.write import aspects, extractive, record_answers
from paperqa.answer.write.extractive import quote
from paperqa.types import Answer, CitedSentence, Paper, RetrievedChunk, Source

#: An answer quotes at most this many sentences, at most this many from one paper.
ANSWER_SENTENCES = 3
PER_PAPER_SENTENCES = 2
#: Papers the reader reads for a question over the whole library (the closest by retrieval):
#: each costs a read of its abstract (~20 ms on 2 cores).
READ_SOURCES = 4
#: Rewrites per answer: each is one model call (~1 s locally); the first sentence answers.
REWRITE_SENTENCES = 2
#: A model "says" the library has nothing when its reply holds this much of that sentence.
NOT_IN_LIBRARY_PREFIX = 30


def ask(
    pipeline: Pipeline,
    question: str,
    conversation: Conversation,
    run: Run,
    *,
    paper_ids: Sequence[str] | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    strict: bool,
) -> Answer:
    """The answer to a checked `question` (see `Tasks.ask`)."""
    intent = read_intent(
        question,
        named=pipeline.retriever.named,
        conversation=conversation,
        chosen=paper_ids or (),
        date_from=date_from,
        date_to=date_to,
    )
    if intent.record is not None:
        meant = papers_meant(pipeline, intent, conversation)
        if found := record_answers.answer(intent.record, pipeline.all_papers, meant):
            return pipeline.assemble("ask", question, *found, conversation, run)
    if intent.kind == QuestionKind.LIST:
        return ask_list(pipeline, intent, conversation, run)
    filters = {"paper_ids": paper_ids, "date_from": date_from, "date_to": date_to}
    chunks = pipeline.retrieve(run, intent.query, focus=intent.focus, **filters)
    # a question about chosen, named or followed-up papers is answered from them: the
    # library-level "nothing relevant" does not apply (their abstracts may not say, though)
    declines = not intent.papers and (
        not relevant(pipeline.settings.retrieval, chunks)
        or (pipeline.mode != "free" and pipeline.off_topic(question, chunks))
    )
    if declines:
        return pipeline.decline(
            "ask", question, chunks, conversation, run, decline_text(intent, conversation)
        )
    return answer_from(pipeline, intent, chunks, conversation, run, strict)


def read_answering(
    pipeline: Pipeline, run: Run, intent: Intent, meant: list[Source], rank: Ranker, idf: Idf
) -> tuple[dict[int, ReadResult], set[int]]:
    """The reader's results for the papers asked about (or the closest few of the library's),
    its probability combined with the word-feature gate's (`reading.combine`), and the numbers
    of the sources that answer (empty with the reader off)."""
    read_sources = meant if intent.papers else meant[:READ_SOURCES]
    reads = pipeline.read(run, intent.question, read_sources)
    if not reads:
        return {}, set()
    gate = {e.number: e.answerable for e in score_sentences(intent, read_sources, rank, idf)}
    reads = reading.with_gate(reads, gate)
    return reads, reading.answering(reads, pipeline.answerable_cut()) | stated_anyway(intent, read_sources)


def stated_anyway(intent: Intent, sources: Sequence[Source]) -> set[int]:
    """Sources whose abstracts answer whatever the reader makes of the wording: a paper named
    in "What is CASAL?" / "What does SAE-V do?" (an abstract says what its own method is),
    and, for a question that asks for one aspect and nothing more ("What are its main
    results?", "What are CASAL's limitations?"), those with a sentence of that aspect (the
    aspect classifier: 0.85 of 176 hand-labelled sentences right)."""
    found: set[int] = set()
    if intent.kind == QuestionKind.DEFINITION and intent.named:
        found |= {s.number for s in sources if s.paper.id in intent.named}
    if aspect := aspects.asked(intent.question):
        found |= {s.number for s in sources if aspects.aspect_cells(s)[aspect].citations}
    return found


def decline_text(intent: Intent, conversation: Conversation) -> str:
    """What a declined answer says: that the library has no answer, or, for a question about a
    paper it does not name asked out of the blue, to name or choose the paper."""
    return UNNAMED_PAPER if intent.unnamed_paper and not conversation.turns else NOT_IN_LIBRARY


def ask_list(pipeline: Pipeline, intent: Intent, conversation: Conversation, run: Run) -> Answer:
    """A question about several papers ("which papers ...", "what does the library say
    about ..."): one cited sentence per relevant paper, each paper's best on the topic.
    Every mode answers it this way: a model, small or large, drops or invents papers."""
    filters = {"paper_ids": intent.chosen or None, "date_from": intent.date_from, "date_to": intent.date_to}
    rankings = [pipeline.retrieve(run, query, k=LIST_PASSAGES, **filters) for query in list_queries(intent)]
    chunks = interleave(rankings)
    rare = [r for r in (pipeline.retriever.rare_stems(p, LIST_RARE_SHARE) for p in intent.parts) if r]
    settings = pipeline.settings.retrieval
    found = pipeline.sources(chunks)
    relevant = with_contributors(
        intent, found, list_sources(found, rare, settings.list_relevance, settings.list_margin)
    )
    if not relevant:
        return pipeline.decline("ask", intent.question, chunks, conversation, run)
    sources = [s.model_copy(update={"text": s.paper.abstract}) for s in relevant]
    chosen = best_per_paper(intent, sources, pipeline.ranker(), pipeline.idf(), LIST_PAPERS)
    sentences = extractive.quote_evidence(chosen, pipeline.labels(sources))
    return pipeline.assemble("ask", intent.question, sentences, sources, conversation, run)


def answer_from(
    pipeline: Pipeline,
    intent: Intent,
    chunks: list[RetrievedChunk],
    conversation: Conversation,
    run: Run,
    strict: bool,
) -> Answer:
    """The answer from retrieved passages. A follow-up's evidence comes from the papers it
    refers back to ("what are its results?"), a question naming papers from those papers,
    when retrieval found them, not from a paper that merely shares a word. A question about
    chosen papers whose abstracts do not answer it is told so, with the closest sentence."""
    question = intent.question
    sources = pipeline.sources(chunks)
    # Abstracts are short: the sentence that answers may lie outside the retrieved passages;
    # of a whole paper, the retrieved paragraphs of its body are read too (whole)
    whole = [with_body(s) for s in sources]
    # a follow-up's papers, or the papers the question names ("What is TweetQA?" is not
    # answered from a paper that merely mentions tweets), when retrieval found them
    about = intent.focus or intent.named
    meant = [s for s in whole if s.paper.id in about] or whole
    rank, idf = pipeline.ranker(), pipeline.idf()

    def choose(among: list[Source]) -> list[Evidence]:
        return run.stage(
            "select evidence",
            lambda: select(
                intent, among, rank, idf=idf, limit=ANSWER_SENTENCES, per_source=PER_PAPER_SENTENCES
            ),
            {"question": question},
        )

    chosen = choose(meant)
    cut = pipeline.answerable_cut()
    reads, answers = read_answering(pipeline, run, intent, meant, rank, idf)
    short = None
    if reads:
        if intent.papers and chosen and not answers:
            closest = reading.lead_with_span(chosen, meant, reads, 0.0)
            sentences = not_stated(closest[0], question)
            return pipeline.assemble("ask", question, sentences, whole, conversation, run, not_stated=True)
        if not intent.papers and not answers:
            # over the library: declined when no paper read answers. Papers are not dropped from
            # an answer one by one: with this reader that cited the question's paper less often
            # on QASPER dev (0.60 against 0.65; `make eval`)
            text = decline_text(intent, conversation)
            return pipeline.decline("ask", question, chunks, conversation, run, text)
        span_cut = pipeline.reader.span_cut  # type: ignore[union-attr]
        chosen = reading.lead_with_span(chosen, meant, reads, cut, span_cut)
        short = reading.short_answer(intent, reads, cut, span_cut)
    elif intent.papers and chosen and chosen[0].answerable < cut:
        sentences = not_stated(chosen[0], question)
        return pipeline.assemble("ask", question, sentences, whole, conversation, run, not_stated=True)

    def draft() -> Draft:
        shown = fit_budget(sources, pipeline.budget())
        variables = {"question": question, "not_in_library": NOT_IN_LIBRARY}
        return pipeline.draft("answer", variables, question, shown, Rules(strict=strict), run)

    def declines(written: Draft) -> bool:
        said_none = NOT_IN_LIBRARY.lower()[:NOT_IN_LIBRARY_PREFIX] in written.raw.lower()
        if said_none and not confident(pipeline.settings.retrieval, chunks):
            return True
        # The model failed and the question is about words the library never uses:
        # quoting the nearest abstracts would answer a different question.
        return written.failure is not None and pipeline.off_topic(question, chunks)

    return pipeline.compose(
        "ask", question, whole, conversation, run,
        quote=lambda: quoted_answer(pipeline, intent, chosen, whole, run, reads),
        draft=draft, declines=declines, chunks=chunks, short=short,
    )  # fmt: skip


def quoted_answer(
    pipeline: Pipeline,
    intent: Intent,
    chosen: Sequence[Evidence],
    sources: list[Source],
    run: Run,
    reads: Mapping[int, ReadResult] | None = None,
) -> list[CitedSentence]:
    """The chosen source sentences, cleaned to stand alone (rewritten by the model in
    'rewrite' mode), with "Yes:"/"No:" when the reader finds that the abstract settles a yes/no
    question (with the reader off: when the first sentence states it)."""
    several = len({e.number for e in chosen}) > 1
    sentences = extractive.quote_evidence(chosen, pipeline.labels(sources) if several else None)
    if pipeline.mode == "rewrite":
        names, rewrite = pipeline.names(sources), pipeline.writer.rewrite
        sentences = [
            rewrite(intent.question, s, names[s.citations[0]], run) if i < REWRITE_SENTENCES else s
            for i, s in enumerate(sentences)
        ]
    reader = pipeline.reader
    read = (
        reading.verdict(intent, reads, pipeline.answerable_cut(), reader.verdict_cut)
        if reads and reader
        else None
    )
    said = read or (verdict(intent, chosen[0].sentence) if chosen else None)
    if chosen and said:
        sentences[0] = sentences[0].model_copy(update={"text": f"{said}: {sentences[0].text}"})
    return sentences


def not_stated(closest: Evidence, question: str) -> list[CitedSentence]:
    """What an answer says when the chosen paper's abstract does not answer: that, and the
    closest sentence, marked as not answering."""
    label = paper_label(closest.paper)
    name = label if " " not in label else f"“{closest.paper.title}”"
    asked = asked_for(question) or f"the answer to “{question.rstrip('?')}?”"
    read = "paper" if closest.paper.sections else "abstract"  # what was read of it: its full text?
    whose = f"paper {name}" if read == "paper" else f"abstract of {name}"
    said = f"The {whose} does not state {asked}; its closest sentence follows."
    nearest = quote(clean(closest.sentence), closest.number, closest.sentence)
    if place := closest.paper.place_of(closest.sentence):
        nearest = nearest.model_copy(update={"section": place.section, "page": place.page})
    flag = {"supported": False, "problem": f"the {read}'s closest sentence; it does not answer the question"}
    return [
        CitedSentence(text=said, citations=[closest.number], supported=True, grounded=True, origin="note"),
        nearest.model_copy(update=flag),
    ]


#: "What is the inter-annotator agreement?" asks for "the inter-annotator agreement"; "How many
#: annotators ...?" for "how many annotators ...".
_ASKED_FOR = re.compile(
    r"^(?:what|which) (?:is|are|was|were) (?P<thing>(?:the|their|its) .+?)\s*\??$"
    r"|^(?P<count>how (?:many|much) .+?)\s*\??$",
    re.IGNORECASE,
)


def asked_for(question: str) -> str | None:
    """What a question asks for, as the object of "does not state": "the inter-annotator
    agreement", "how many annotators label each tweet"; None for other questions."""
    m = _ASKED_FOR.match(" ".join(question.split()))
    if not m:
        return None
    thing = m.group("thing") or m.group("count")
    return thing[0].lower() + thing[1:]


def papers_meant(pipeline: Pipeline, intent: Intent, conversation: Conversation) -> list[Paper]:
    """The papers a question about one paper's record means: those chosen or named, else the
    one the last answer cited first ("when was it published?"), else the best retrieved."""
    ids = list(intent.chosen or intent.named)
    if not ids and conversation.turns and refers_back(intent.question):
        ids = conversation.last_cited()[:1]
    if ids:
        found = pipeline.store.papers_by_id(ids)
        return [found[i].paper for i in ids if i in found]
    return find_papers(pipeline.retriever, pipeline.store, pipeline.settings.retrieval, intent.question)
