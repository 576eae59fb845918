"""What the scripts fitting whole-paper models on QASPER full text share (`fit_paragraphs.py`,
`fit_body_sentences.py`, `reader/build_data.py`, and `benchmarks/bench_reader.py` choosing the
reader's whole-paper cut): their command line, the train and dev libraries, a question taken
through the answer's find stage restricted to its paper, and the sha256 of the training files
they record."""

from __future__ import annotations

import argparse
from pathlib import Path

from paperqa.answer.ask import find
from paperqa.answer.conversation import Conversation
from paperqa.answer.pipeline import Pipeline
from paperqa.answer.run import Run
from paperqa.answer.session import Session
from paperqa.answer.understand.intent import read_intent
from paperqa.index.assets import sha256_of
from paperqa.library import Library
from paperqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
#: The QASPER full-text files a model is fitted on (their sha256 go into the model's file).
TRAIN_FILES = ("train_papers.jsonl", "train_questions.jsonl")


def arguments(doc: str | None) -> argparse.Namespace:
    """--data (../shared/data/qasper_fulltext) and the optional libraries holding its splits."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="../shared/data/qasper_fulltext")
    parser.add_argument("--train-home", type=Path, help="A library holding the train papers.")
    parser.add_argument("--dev-home", type=Path, help="A library holding the dev papers.")
    return parser.parse_args()


def library(data: Path, split: str, home: Path | None) -> Library:
    """A library holding the split's papers: `home`, else build/paragraphs/<split>, ingested
    the first time (about 10 minutes for train on 2 cores)."""
    home = home or ROOT / "build" / "paragraphs" / split
    lib = Library(Settings(home=home))
    if not lib.stats().papers:
        print(f"ingesting {split} papers into {home} ...", flush=True)
        lib.ingest([data / f"{split}_papers.jsonl"])
    return lib


def found(pipeline: Pipeline, question: str, paper_id: str) -> Session:
    """`question` asked of one paper as `paperqa ask --paper` asks it, through the answer's
    find stage: `session.meant[0]`, when there, is the paper's source as the answer reads it
    (its abstract and the body paragraphs the paragraph reranker chose)."""
    intent = read_intent(question, named=pipeline.retriever.named, chosen=[paper_id])
    session = Session(intent=intent, conversation=Conversation(), run=Run())
    find(pipeline, session)
    return session


def train_files(data: Path) -> dict[str, str]:
    """File name -> sha256 of the training files."""
    return {name: sha256_of(data / name) for name in TRAIN_FILES}
