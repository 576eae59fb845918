"""One task's run: the stages it passes through, reported to LangChain callbacks as child
runs, its tokens and time counted in `Usage`; and `streamed`, which hands a run's tokens to
another thread as they come."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from paperqa.types import Usage

OnToken = Callable[[str], None]

T = TypeVar("T")


def streamed(run: Callable[[OnToken], T]) -> Iterator[str | T | BaseException]:
    """Run `run(on_token)` in a thread: the tokens as they come, then its result, or the
    exception it raised (handed over, not raised: each caller reports it its own way)."""
    items: queue.Queue[object] = queue.Queue()
    done = object()

    def work() -> None:
        try:
            items.put(run(items.put))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            items.put(exc)
        finally:
            items.put(done)

    threading.Thread(target=work, daemon=True).start()
    while (item := items.get()) is not done:
        yield item  # type: ignore[misc]


@dataclass
class Run:
    """The state of one ask / summarize / compare call, passed through its stages."""

    on_token: OnToken | None = None
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.perf_counter)
    #: LangChain callbacks (a tracer such as LangSmith's): each stage is reported to them
    #: as a child run named "retrieve", "select evidence", "generate", "rewrite", "check".
    callbacks: Any = None

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def stage(self, name: str, fn: Callable[[], T], inputs: Any = None) -> T:
        """Run one stage; with callbacks, as a named child run that they see."""
        if self.callbacks is None:
            return fn()
        from langchain_core.runnables import RunnableLambda

        runnable: RunnableLambda[Any, T] = RunnableLambda(lambda _: fn(), name=name)
        return runnable.invoke(inputs if inputs is not None else {}, config={"callbacks": self.callbacks})

    def config(self, name: str) -> dict[str, Any]:
        """The config a chat model call takes so that callbacks see it under `name`."""
        return {"callbacks": self.callbacks, "run_name": name} if self.callbacks is not None else {}
