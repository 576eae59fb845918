"""The reader: whether a passage answers a question, which of its words do, and whether it
says yes or no to a yes/no question or a claim.

A cross-encoder fitted here (`make reader`, `scripts/reader/`): all-MiniLM-L6-v2 reading
"[CLS] question [SEP] passage [SEP]", fine-tuned on researchers' questions about NLP papers
(QASPER train: evidence paragraphs, answer spans, yes/no), claims with supporting and
refuting abstracts (SciFact train) and summaries with and without a negation (SciTLDR
train), with three heads: the answering span, the probability that the passage answers,
and a verdict (yes / no / neither). Shipped as int8 ONNX in `paperqa/data/reader.onnx`,
checked against the sha256 in `reader.json`, run by onnxruntime on the CPU.

Everything that decides what an answer says about answerability, its short answer and its
yes/no verdict goes through `Reader.read`; callers compare `ReadResult.p` with the cut the
reader was shipped with (`Reader.cut`), chosen on QASPER dev.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from paperqa.index.assets import bundled_file, checked_file, data_dir
from paperqa.index.encoder import MINILM_TOKENIZER_SHA256
from paperqa.settings import default_threads

Verdict = Literal["yes", "no"]
#: Windows of a long passage overlap by this many tokens, so an answer cut by one window's
#: edge is whole in the next.
WINDOW_OVERLAP = 48
#: A short answer is at most this many word-pieces long (QASPER's extractive answers: 95%
#: are under 20 words).
LONGEST_SPAN = 30
#: Windows read per onnxruntime call: one. The int8 model quantises each call's activations
#: by their range over the whole batch, so read eight at a time a passage's p moved with the
#: passages read beside it (up to 0.06 on QASPER dev abstracts); one at a time it is the
#: passage's own, and faster on the thread a model gets (4 abstracts: 127 -> 68 ms p50).
MICRO_BATCH = 1
#: (question, passage) results kept: a table and an answer re-read the same abstracts.
CACHE_SIZE = 2048


@dataclass(frozen=True)
class Span:
    """The words of a passage that answer, as the passage writes them."""

    text: str
    start: int  # character offsets in the passage
    end: int
    p: float  # the reader's probability of this span among the passage's spans


@dataclass(frozen=True)
class ReadResult:
    """What the reader makes of one passage for one question."""

    passage: str
    p: float  # probability that the passage answers the question
    span: Span | None  # the answering words (None for an empty passage)
    #: probabilities that the passage says yes, says no, or settles neither (for a yes/no
    #: question or a claim; meaningless for others)
    verdicts: tuple[float, float, float]
    cut: float  # the shipped cut on `p`

    @property
    def answers(self) -> bool:
        return self.p >= self.cut

    @property
    def verdict(self) -> Verdict | None:
        """ "yes" or "no" when the passage settles the question that way more likely than not."""
        yes, no, neither = self.verdicts
        if max(yes, no) < neither:
            return None
        return "yes" if yes >= no else "no"

    @property
    def contradicts(self) -> float:
        """The probability that the passage says the opposite of the question read as a claim."""
        return self.verdicts[1]


class Reads(Protocol):
    """What the answer path needs of a reader (a fake in tests of pure logic)."""

    @property
    def cut(self) -> float: ...

    @property
    def paper_cut(self) -> float: ...

    @property
    def span_cut(self) -> float: ...

    @property
    def verdict_cut(self) -> float: ...

    def read(self, question: str, passages: Sequence[str]) -> list[ReadResult]: ...

    def contradiction(self, sentence: str, evidence: str) -> float: ...


@dataclass(frozen=True)
class _Window:
    passage: int  # index among the passages read
    ids: list[int]
    types: list[int]
    first: int  # the passage's first token in `ids`
    offsets: list[tuple[int, int]]  # character offsets of the window's passage tokens


class Reader:
    """The shipped reader (see the module's docstring).

    Args:
        threads: onnxruntime threads (default: every core but one).
        directory: where `reader.onnx` and `reader.json` are (default: the shipped ones);
            a benchmark points it at a model `make reader` has just fitted.
    """

    def __init__(self, threads: int | None = None, directory: Path | None = None) -> None:
        self.threads = threads
        self.directory = directory or data_dir()
        self._cache: OrderedDict[tuple[str, str], ReadResult] = OrderedDict()
        self._lock = threading.Lock()

    @functools.cached_property
    def meta(self) -> dict[str, Any]:
        """`reader.json`: the model's sha256, input format and cuts (the shipped one checked
        against `SHA256SUMS`)."""
        shipped = self.directory == data_dir()
        path = bundled_file("reader.json") if shipped else self.directory / "reader.json"
        return json.loads(path.read_text(encoding="utf-8"))

    @property
    def cut(self) -> float:
        """`ReadResult.p` under which a passage does not answer (chosen on QASPER dev)."""
        return float(self.meta["cut"])

    @property
    def paper_cut(self) -> float:
        """The probability (the reader's and the gate's combined) under which no passage of a
        whole paper read alone (its abstract, a body paragraph the answer reads) answers, so
        the paper does not state what was asked (chosen on QASPER full-text dev; the
        answerability cut for a reader without one)."""
        return float(self.meta.get("paper_cut", self.meta["cut"]))

    @property
    def span_cut(self) -> float:
        """A span's probability under which it is not offered as the short answer."""
        return float(self.meta["span_cut"])

    @property
    def verdict_cut(self) -> float:
        """A yes or no probability under which the reader's verdict is not said (1.0: never)."""
        return float(self.meta.get("verdict_cut", 1.0))

    @functools.cached_property
    def _session(self) -> Any:
        import onnxruntime as ort

        path = checked_file(self.directory / "reader.onnx", self.meta["sha256"], "The reader model")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or default_threads()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @functools.cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        path = checked_file(
            data_dir() / "all-MiniLM-L6-v2.tokenizer.json", MINILM_TOKENIZER_SHA256, "The tokenizer"
        )
        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def read(self, question: str, passages: Sequence[str]) -> list[ReadResult]:
        """One `ReadResult` per passage, in order."""
        results: list[ReadResult | None] = []
        missing: list[int] = []
        with self._lock:
            for i, passage in enumerate(passages):
                found = self._cache.get((question, passage))
                if found is not None:
                    self._cache.move_to_end((question, passage))
                else:
                    missing.append(i)
                results.append(found)
        if missing:
            fresh = self._read([passages[i] for i in missing], question)
            with self._lock:
                for i, result in zip(missing, fresh, strict=True):
                    results[i] = result
                    self._cache[(question, passages[i])] = result
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return [r for r in results if r is not None]

    def contradiction(self, sentence: str, evidence: str) -> float:
        """The probability that `evidence` says the opposite of `sentence` read as a claim."""
        return self.read(sentence, [" ".join(evidence.split())])[0].contradicts

    def _windows(self, question: str, passages: Sequence[str]) -> list[_Window]:
        tok = self._tokenizer
        q_ids = tok.encode(question, add_special_tokens=False).ids[: int(self.meta["max_question_tokens"])]
        cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        room = int(self.meta["max_tokens"]) - len(q_ids) - 3
        step = max(1, room - WINDOW_OVERLAP)
        windows = []
        for n, encoding in enumerate(tok.encode_batch(list(passages), add_special_tokens=False)):
            ids, offsets = encoding.ids, encoding.offsets
            start = 0
            while True:
                part = ids[start : start + room]
                windows.append(
                    _Window(
                        n,
                        [cls, *q_ids, sep, *part, sep],
                        [0] * (len(q_ids) + 2) + [1] * (len(part) + 1),
                        len(q_ids) + 2,
                        list(offsets[start : start + room]),
                    )
                )
                if start + room >= len(ids):
                    break
                start += step
        return windows

    def _read(self, passages: Sequence[str], question: str) -> list[ReadResult]:
        windows = self._windows(question, passages)
        outputs: list[tuple[np.ndarray, np.ndarray, float, np.ndarray]] = [None] * len(windows)  # type: ignore[list-item]
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
        for at in range(0, len(order), MICRO_BATCH):
            idx = order[at : at + MICRO_BATCH]
            width = max(len(windows[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            types = np.zeros_like(ids)
            mask = np.zeros_like(ids)
            for row, i in enumerate(idx):
                w = windows[i]
                ids[row, : len(w.ids)] = w.ids
                types[row, : len(w.ids)] = w.types
                mask[row, : len(w.ids)] = 1
            start, end, answerable, verdict = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            for row, i in enumerate(idx):
                outputs[i] = (start[row], end[row], float(answerable[row]), verdict[row])
        best: dict[int, tuple[float, int]] = {}
        for i, w in enumerate(windows):
            logit = outputs[i][2]
            if w.passage not in best or logit > best[w.passage][0]:
                best[w.passage] = (logit, i)
        results = []
        for n, passage in enumerate(passages):
            logit, i = best[n]
            start, end, _, verdict = outputs[i]
            results.append(
                ReadResult(
                    passage=passage,
                    p=round(_sigmoid(logit), 4),
                    span=_span(passage, windows[i], start, end),
                    verdicts=_softmax3(verdict),
                    cut=self.cut,
                )
            )
        return results


def _span(passage: str, window: _Window, start: np.ndarray, end: np.ndarray) -> Span | None:
    """The window's most probable span of at most `LONGEST_SPAN` word-pieces, widened to whole
    words, with its probability (start and end read as independent choices)."""
    n = len(window.offsets)
    if not n:
        return None
    first = window.first
    s_logits = start[first : first + n].astype(np.float64)
    e_logits = end[first : first + n].astype(np.float64)
    s_p = np.exp(s_logits - s_logits.max())
    s_p /= s_p.sum()
    e_p = np.exp(e_logits - e_logits.max())
    e_p /= e_p.sum()
    best_i, best_j, best_p = 0, 0, -1.0
    for i in range(n):
        upto = min(n, i + LONGEST_SPAN)
        j = i + int(np.argmax(e_p[i:upto]))
        p = float(s_p[i] * e_p[j])
        if p > best_p:
            best_i, best_j, best_p = i, j, p
    a, b = _whole_words(passage, window.offsets[best_i][0], window.offsets[best_j][1])
    return Span(passage[a:b], a, b, round(best_p, 4))


def _whole_words(text: str, a: int, b: int) -> tuple[int, int]:
    """[a, b) widened to whole words, without a trailing comma, full stop or bracket that
    closes nothing in the span."""
    while a > 0 and not text[a - 1].isspace() and text[a - 1] not in "([\"'“":
        a -= 1
    while b < len(text) and not text[b].isspace() and text[b] not in ',;:)]"”':
        if text[b] in "'’" and not text[b + 1 : b + 2].isalpha():  # a closing quote, not "Cohen's"
            break
        b += 1
    while b > a and text[b - 1] in ",;:.":
        b -= 1
    if text[a:b].count("(") > text[a:b].count(")") and b < len(text) and text[b] == ")":
        b += 1
    return a, b


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _softmax3(logits: np.ndarray) -> tuple[float, float, float]:
    e = np.exp(logits.astype(np.float64) - float(np.max(logits)))
    p = e / e.sum()
    return (round(float(p[0]), 4), round(float(p[1]), 4), round(float(p[2]), 4))


@functools.cache
def bundled_reader() -> Reader:
    """The reader shipped with paperqa, loaded on first use (one per process)."""
    return Reader()
