"""Screens on text that enters a prompt or an answer: sentences that address the model
(a prompt injection planted in an abstract) and text that loops (a small model's failure)."""

from __future__ import annotations

import re

from paperqa.text.sentences import split_sentences

#: A sentence that addresses the model rather than the reader ("ignore previous instructions
#: and ..."): a prompt injection planted in an abstract. Such sentences are kept out of the
#: prompt and are never evidence, so an answer that obeys one is unsupported.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?]{0,60}\b(instructions?|prompts?|rules)\b"
    r"|\b(system prompt|you are now|(reply|respond|answer) only with|say exactly)\b",
    re.IGNORECASE,
)
INSTRUCTION_REMOVED = "[instruction-like text removed]"


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(sentence))


def without_instructions(text: str) -> str:
    """`text` with every instruction-like sentence replaced by a marker."""
    sentences = split_sentences(text)
    if not any(looks_like_instruction(s) for s in sentences):
        return text
    return " ".join(INSTRUCTION_REMOVED if looks_like_instruction(s) else s for s in sentences)


#: A text repeats itself when more than this share of its word 4-grams are repeats (judged
#: only on 8 4-grams or more: short texts repeat by chance).
REPEATED_SHARE = 0.3


def is_repetitive(text: str, n: int = 4, limit: float = REPEATED_SHARE, min_grams: int = 8) -> bool:
    """True when many word n-grams repeat: the loop a small model falls into."""
    words = text.lower().split()
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) >= min_grams and 1 - len(set(grams)) / len(grams) > limit
