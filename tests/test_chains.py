"""The answer path as LangChain runnables on the real seed library: invoke, stream,
batch, the async forms, composition in a user's chain, and the named stages a tracer sees.
A scripted chat model (LangChain's fake) writes, so the stages run on purpose."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.runnables import RunnableLambda

from paperqa.interfaces.runnables import AskInput, CompareInput
from paperqa.library import Library
from paperqa.types import Answer

pytestmark = pytest.mark.slow
CASAL_Q = "How much does CASAL reduce hallucination?"
CASAL_FACT = "CASAL reduces hallucination by 30%-40% across multiple short-form QA benchmarks [1]."


def scripted(library: Library, mode: str, *replies: str) -> Library:
    llm = library.settings.llm.model_copy(update={"answer_mode": mode})
    return Library(
        library.settings.model_copy(update={"llm": llm}),
        embedder=library.embedder,
        chat_model=FakeListChatModel(responses=list(replies) or ["unused"]),
    )


class Stages(BaseCallbackHandler):
    """Records the names of the runs a tracer would see."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.names.append(kwargs.get("name") or (serialized or {}).get("name", "?"))

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.names.append(kwargs.get("name") or "chat model")


def test_invoke_batch_and_input_forms(seed_library):
    ask = scripted(seed_library, "quote").as_runnable("ask")
    answer = ask.invoke(CASAL_Q)
    assert isinstance(answer, Answer) and "30%-40%" in answer.text
    typed = ask.invoke(AskInput(question="What does SAE-V do?", paper_ids=["SAE-V"]))
    assert {r.title[:5] for r in typed.references} == {"SAE-V"}
    both = ask.batch([CASAL_Q, {"question": "What does the FIND benchmark contain?"}])
    assert [type(a) for a in both] == [Answer, Answer] and "FIND" in both[1].text
    compare = scripted(seed_library, "quote").as_runnable("compare")
    table = compare.invoke(CompareInput(paper_a="CASAL", paper_b="SAE-V"))
    assert table.comparison and len(table.comparison) == 5


def test_stream_yields_draft_tokens_then_the_checked_answer(seed_library):
    ask = scripted(seed_library, "free", CASAL_FACT).as_runnable("ask")
    items = list(ask.stream(CASAL_Q))
    assert isinstance(items[-1], Answer) and items[-1].fallback is None
    assert "".join(i for i in items[:-1] if isinstance(i, str)) == CASAL_FACT


async def test_async_forms(seed_library):
    ask = scripted(seed_library, "free", CASAL_FACT, CASAL_FACT).as_runnable("ask")
    answer = await ask.ainvoke(CASAL_Q)
    assert "30%-40%" in answer.text
    items = [item async for item in ask.astream(CASAL_Q)]
    assert isinstance(items[-1], Answer) and any(isinstance(i, str) for i in items)


def test_callbacks_see_the_named_stages(seed_library):
    stages = Stages()
    ask = scripted(seed_library, "free", CASAL_FACT).as_runnable("ask")
    ask.invoke(CASAL_Q, config={"callbacks": [stages]})
    assert {"retrieve", "generate", "check"} <= set(stages.names)
    assert stages.names.index("retrieve") < stages.names.index("generate") < stages.names.index("check")
    rewriting = Stages()
    scripted(seed_library, "rewrite", CASAL_FACT.replace(" [1]", "")).as_runnable("ask").invoke(
        CASAL_Q, config={"callbacks": [rewriting]}
    )
    assert {"retrieve", "select evidence", "rewrite"} <= set(rewriting.names)


def test_composed_in_a_users_chain(seed_library):
    ask = scripted(seed_library, "quote").as_runnable("ask")
    chain = (
        RunnableLambda(lambda topic: f"How much does {topic} reduce hallucination?")
        | ask
        | (lambda a: a.text)
    )
    assert "30%-40%" in chain.invoke("CASAL")
