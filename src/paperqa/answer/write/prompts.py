"""The prompt templates in `prompts/*.toml`, loaded and checked.

Each file has a `system` and a `user` template. At load time the variables a
template uses must be exactly the ones the code fills (`EXPECTED`), so a typo
in a prompt fails at once, not with a confusing answer.
"""

from __future__ import annotations

import functools
import string
import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from paperqa.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

EXPECTED: dict[str, set[str]] = {
    "answer": {"sources", "question", "not_in_library"},
    "summarize": {"sources", "title"},
    "tldr": {"sources", "title"},
    "summarize_topic": {"sources", "topic"},
    "compare": {"sources", "title_a", "title_b"},
    "condense": {"history", "question"},
    "rewrite": {"question", "sentence"},
}


class Prompt(BaseModel):
    """A validated two-message prompt."""

    name: str
    system: str
    user: str

    @property
    def variables(self) -> set[str]:
        return _variables(self.system) | _variables(self.user)

    def template(self) -> ChatPromptTemplate:
        from langchain_core.prompts import ChatPromptTemplate  # 0.5 s: only when a model writes

        return ChatPromptTemplate.from_messages([("system", self.system), ("human", self.user)])


def _variables(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def prompts_dir() -> Path:
    """`paperqa/prompts` inside an installed wheel, else the repository's `prompts/`."""
    packaged = Path(str(resources.files("paperqa"))) / "prompts"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[4] / "prompts"


def parse_prompt(name: str, text: str) -> Prompt:
    """A prompt from TOML text, checked against the variables the code fills."""
    try:
        data = tomllib.loads(text)
        prompt = Prompt(name=name, system=data["system"], user=data["user"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"prompt {name!r} is not a TOML file with 'system' and 'user': {exc}") from exc
    expected = EXPECTED[name]
    if prompt.variables != expected:
        missing, extra = expected - prompt.variables, prompt.variables - expected
        raise ConfigError(
            f"prompt {name!r} must use exactly {sorted(expected)}; "
            f"missing {sorted(missing)}, unknown {sorted(extra)}"
        )
    return prompt


@functools.cache
def load_prompt(name: str) -> Prompt:
    """The named prompt from `prompts/NAME.toml`."""
    if name not in EXPECTED:
        raise ConfigError(f"no prompt named {name!r}; known: {sorted(EXPECTED)}")
    path = prompts_dir() / f"{name}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"prompt file {path} cannot be read: {exc}; reinstall paperqa-reader") from exc
    return parse_prompt(name, text)
