"""Sentence patterns more than one rule reads, each written once."""

from __future__ import annotations

import re

from paperqa.text.names import INTRODUCING_VERBS

#: The sentence that says what the paper contributes ("we propose ...", "this paper introduces").
CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|study|article|research))\s+(?:\w+\s+){0,2}?"
    rf"(?:{INTRODUCING_VERBS}|design|establish|bridge|test|analy[sz]e|explore)s?\b"
    r"|\bhere,? we\b|\bin this (?:paper|work|study|article),? we\b",
    re.IGNORECASE,
)
#: The sentence that says what the paper makes (a dataset, a toolkit, a method), not what it
#: studies: "we present a corpus", "this paper introduces FIND", not "this paper gives
#: analyses of corpora".
MAKES = re.compile(
    r"\b(?:we|this (?:paper|work|study|article))\s+(?:\w+\s+){0,2}?"
    rf"(?:{INTRODUCING_VERBS}|design|release|create|build|construct|collect|compile|provide|offer|contribute)s?\b"
    r"|\bhere,? we (?:\w+\s+){0,2}?(?:present|introduce|propose|release)",
    re.IGNORECASE,
)
#: Words that make a statement negative: a rewrite may not add one, and a yes/no verdict
#: is "No" when the evidence holds one.
NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|neither|nor|unable|fails?|failed|doesn't|don't|didn't|isn't|aren't)\b",
    re.IGNORECASE,
)
