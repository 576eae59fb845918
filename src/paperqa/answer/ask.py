"""`ask`: a question taken down the stages once, its state in a `Session`:

    understand -> find -> read -> write (-> check, in `Pipeline.written`) -> `Pipeline.finish`

`read_intent` understands it; a question about the papers' records is answered from them
(`record_answers`), one about several papers with one cited sentence per paper
(`find_list`); any other is answered from retrieved passages: `find`, `read`, `write`.
Each stage reads what the earlier ones put in the session and adds its own result; whether
the answer is refused is decided in one place, `Session.refusal`, and `Pipeline.finish`
is the one exit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from paperqa.answer.check.checking import Rules
from paperqa.answer.conversation import Conversation
from paperqa.answer.find.gate import NOT_IN_LIBRARY, confident, decline_text, relevant
from paperqa.answer.find.listing import (
    LIST_PAPERS,
    LIST_PASSAGES,
    LIST_RARE_SHARE,
    interleave,
    list_queries,
    list_sources,
    with_contributors,
)
from paperqa.answer.find.parts import limitations_paragraphs
from paperqa.answer.find.resolve import papers_meant
from paperqa.answer.find.sources import BODY_CANDIDATES, fit_budget, with_body
from paperqa.answer.pipeline import Draft, Pipeline
from paperqa.answer.read import reading
from paperqa.answer.read.evidence import SECOND_SHARE, Evidence, best_per_paper, select, verdict
from paperqa.answer.read.reader import ReadResult
from paperqa.answer.run import Run
from paperqa.answer.session import Refusal, Session
from paperqa.answer.understand.intent import Intent, QuestionKind, read_intent
from paperqa.answer.write import aspects, extractive, record_answers
from paperqa.types import Answer, CitedSentence, Paper, RetrievedChunk, Source

#: An answer quotes at most this many sentences, at most this many from one paper.
ANSWER_SENTENCES = 3
PER_PAPER_SENTENCES = 2
#: ... except of one whole paper asked about alone: its three best sentences, however close
#: the second and third come to the first (the answer is often spread over a paragraph of the
#: body). QASPER full-text dev, quote mode, the whole-paper sentence model before its section
#: roles, gold-answer words in the answer / evidence F1: a
#: further sentence only when it scores 0.6 of the first 0.452 / 0.380, the three best 0.522 /
#: 0.391 (train 0.444 / 0.354 -> 0.505 / 0.335); two sentences before the body model 0.434 / 0.391.
WHOLE_PAPER_SENTENCES = 3
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
    session = Session(intent=intent, conversation=conversation, run=run, strict=strict)
    if intent.record is not None:
        retrieval = pipeline.settings.retrieval
        meant = papers_meant(pipeline.retriever, pipeline.store, retrieval, intent, conversation)
        if found := record_answers.answer(intent.record, pipeline.all_papers, meant):
            session.sentences, session.sources = found
            return pipeline.finish(session)
    if intent.kind == QuestionKind.LIST:
        find_list(pipeline, session)
    else:
        find(pipeline, session)
        read(pipeline, session)
        write(pipeline, session)
    return pipeline.finish(session)


def find(pipeline: Pipeline, session: Session) -> None:
    """The passages retrieved for the question and their sources. Abstracts are short: the
    sentence that answers may lie outside the retrieved passages; of a whole paper, the
    retrieved paragraphs of its body are read too. A follow-up's sources are the papers it
    refers back to ("what are its results?"), a question naming papers those papers (when
    retrieval found them), not a paper that merely shares a word ("What is TweetQA?"). A
    paper's body paragraphs are chosen by the paragraph reranker (`find.paragraphs`), for a
    chosen paper among more of its chunks than the answer's passages."""
    intent, run = session.intent, session.run
    # of one chosen paper, its best passages are the first of its BODY_CANDIDATES best chunks,
    # which the paragraph reranker chooses the body's paragraphs from: one retrieval for both
    one = len(intent.chosen) == 1
    best = pipeline.retrieve(
        run, intent.query, focus=intent.focus, k=BODY_CANDIDATES if one else None, **_filters(intent)
    )
    session.chunks = chunks = best[: pipeline.settings.retrieval.k] if one else best
    session.declined = not intent.papers and (
        not relevant(pipeline.settings.retrieval, chunks)
        or (pipeline.mode != "free" and pipeline.off_topic(intent.question, chunks))
    )
    session.decline_text = decline_text(intent, session.conversation)
    if session.declined:
        return  # the decline names the nearest papers from the passages alone
    session.found = pipeline.sources(chunks)
    more: list[RetrievedChunk] = best if one else []
    if len(intent.chosen) > 1 and any(s.paper.sections for s in session.found):
        # of several chosen whole papers, more of their chunks for the paragraph reranker
        more = pipeline.retrieve(run, intent.query, k=BODY_CANDIDATES, **_filters(intent))
    # a question asking for a paper's limitations and nothing more reads where it states them
    limits = aspects.asked(intent.question) == "Limitations"

    def lead(paper: Paper) -> list[tuple[int, int]]:
        return limitations_paragraphs(paper) if limits else []

    session.sources = [
        with_body(s, question=intent.query, candidates=more, lead=lead(s.paper)) for s in session.found
    ]
    about = intent.focus or intent.named
    session.meant = [s for s in session.sources if s.paper.id in about] or session.sources


def read(pipeline: Pipeline, session: Session) -> None:
    """The evidence chosen from the sources meant, the reader's results (its probability
    combined with the word-feature gate's) and which sources answer: those the reader says do,
    those whose abstracts state what was asked anyway (`aspects.stated_anyway`); a whole paper
    asked about alone (but for a yes/no question) answers when its abstract or one of the body
    paragraphs read, each read alone by the reader and the gate, does (`Pipeline.paper_cut`).
    With the
    reader off, the chosen evidence's own answerability decides for the papers asked about
    (over the library it declines nothing)."""
    if session.refusal() is not None:
        return
    intent, run, meant = session.intent, session.run, session.meant
    rank, idf, cut = pipeline.ranker(), pipeline.idf(), pipeline.answerable_cut()
    one_whole = bool(intent.papers) and len(meant) == 1 and bool(meant[0].paper.sections)
    per_paper, share = (WHOLE_PAPER_SENTENCES, 0.0) if one_whole else (PER_PAPER_SENTENCES, SECOND_SHARE)
    # one whole paper: its sentences ranked with what the reader makes of their paragraphs, but
    # for a yes/no question (answered by a statement, not by words the reader picks)
    worded = one_whole and intent.kind != QuestionKind.YESNO
    paragraphs = pipeline.read_paragraphs(run, intent.question, meant[0]) if worded else {}
    session.chosen = run.stage(
        "select evidence",
        lambda: select(
            intent,
            meant,
            rank,
            idf=idf,
            limit=ANSWER_SENTENCES,
            per_source=per_paper,
            second_share=share,
            reads=paragraphs,
            statements=True,
        ),
        {"question": intent.question},
    )
    read_sources = reading.to_read(intent, meant)
    if reads := pipeline.read(run, intent.question, read_sources):
        session.reads = reading.gated(reads, intent, read_sources, rank, idf)
        answers = set(aspects.stated_anyway(intent, read_sources))
        if paragraphs and aspects.asked(intent.question) == "Limitations":
            pass  # a whole paper states its limitations where `stated_anyway` finds them, or not
        elif paragraphs:
            # a whole paper asked about alone answers when a passage of it read alone does (its
            # abstract, a body paragraph the reranker chose), by the reader and the gate: read as
            # one text they nearly always hold a plausible sentence, for questions left open too;
            # never when the question names what the paper never does ("the F1 score" of a
            # clinical study: the reader, trained on NLP papers, takes a patient's quote for one)
            if reading.data_size_stated(intent, list(paragraphs)):
                answers.add(meant[0].number)
            elif not reading.unstated_terms(intent.question, meant[0].paper):
                alone = reading.passages_gated(paragraphs, intent, meant[0], rank, idf)
                if any(p >= pipeline.paper_cut() for p in alone.values()):
                    answers.add(meant[0].number)
        else:
            answers |= reading.answering(session.reads, cut)
        # over the library, the reader's doubt declines only what retrieval is unsure of too:
        # a question naming a paper, or whose passages match closely, is answered from them
        sure = not intent.papers and confident(pipeline.settings.retrieval, session.chunks)
        session.unanswered = not answers and not sure
    else:
        # the reader off: the gate's probability, for the papers asked about only
        session.unanswered = bool(intent.papers and session.chosen) and session.chosen[0].answerable < cut


def write(pipeline: Pipeline, session: Session) -> None:
    """The answer's sentences: for a refusal, nothing (the library's decline) or the paper's
    closest sentence marked as not answering; otherwise the chosen sentences led by the
    reader's answering span, quoted, rewritten or written by the model (`Pipeline.written`)."""
    s, question = session, session.question
    refusal = s.refusal()
    if refusal is Refusal.NOT_IN_LIBRARY:
        return
    if refusal is Refusal.NOT_STATED:
        closest = reading.lead_with_span(s.chosen, s.meant, s.reads, 0.0) if s.reads else s.chosen
        s.sentences = extractive.not_stated(closest[0], question)
        return
    if s.reads:
        cut, span_cut = pipeline.answerable_cut(), pipeline.reader.span_cut  # type: ignore[union-attr]
        s.chosen = reading.lead_with_span(s.chosen, s.meant, s.reads, cut, span_cut)
        s.short = reading.short_answer(s.intent, s.reads, cut, span_cut)

    def draft() -> Draft:
        shown = fit_budget(s.found, pipeline.budget())
        variables = {"question": question, "not_in_library": NOT_IN_LIBRARY}
        return pipeline.draft("answer", variables, question, shown, Rules(strict=s.strict), s.run)

    def declines(written: Draft) -> bool:
        said_none = NOT_IN_LIBRARY.lower()[:NOT_IN_LIBRARY_PREFIX] in written.raw.lower()
        if said_none and not confident(pipeline.settings.retrieval, s.chunks):
            return True
        # The model failed and the question is about words the library never uses:
        # quoting the nearest abstracts would answer a different question.
        return written.failure is not None and pipeline.off_topic(question, s.chunks)

    def quote() -> list[CitedSentence]:
        return quoted_answer(pipeline, s.intent, s.chosen, s.sources, s.run, s.reads)

    written = pipeline.written(quote, draft, declines)
    s.sentences, s.fallback = written.sentences, written.fallback
    if written.declined:
        s.declined, s.decline_text = True, NOT_IN_LIBRARY


def _filters(intent: Intent) -> dict[str, object]:
    """What retrieval is restricted to: the papers chosen, the dates asked for."""
    ids = list(intent.chosen) or None
    return {"paper_ids": ids, "date_from": intent.date_from, "date_to": intent.date_to}


def find_list(pipeline: Pipeline, session: Session) -> None:
    """A question about several papers ("which papers ...", "what does the library say
    about ..."): one cited sentence per relevant paper, each paper's best on the topic.
    Every mode answers it this way: a model, small or large, drops or invents papers."""
    intent, run = session.intent, session.run
    queries = list_queries(intent)
    rankings = [pipeline.retrieve(run, query, k=LIST_PASSAGES, **_filters(intent)) for query in queries]
    session.chunks = chunks = interleave(rankings)
    rare = [r for r in (pipeline.retriever.rare_stems(p, LIST_RARE_SHARE) for p in intent.parts) if r]
    settings = pipeline.settings.retrieval
    found = pipeline.sources(chunks)
    relevant = with_contributors(
        intent, found, list_sources(found, rare, settings.list_relevance, settings.list_margin)
    )
    if not relevant:
        session.declined = True
        return
    session.sources = [s.model_copy(update={"text": s.paper.abstract}) for s in relevant]
    chosen = best_per_paper(intent, session.sources, pipeline.ranker(), pipeline.idf(), LIST_PAPERS)
    session.sentences = extractive.quote_evidence(chosen, pipeline.labels(session.sources))


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
