"""Names in a text: what counts as a name or technical term, which names a paper
introduces, and whether a term occurs in another text.

The grounding check, the paper-name table and the evidence scores all read names
through these, so "a name" means one thing everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from paperqa.text.wordlists import STOPWORDS
from paperqa.text.words import fold

_NAME = r"[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*"
#: A token written like a name: two capitals or more (CASAL, LoRA, SAE-V, ResNet18).
NAME_TOKEN = re.compile(
    r"(?<![\w-])([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?![\w-])"
)
#: The verbs with which an abstract introduces what it contributes.
INTRODUCING_VERBS = "present|introduce|propose|develop"
#: A name an abstract gives its own contribution: "we present TimeX", "this paper introduces
#: CASAL", a name set off after what it names ("a recipe - PrISM - for", "a method called
#: LIB", "a framework, dubbed TimeX,"). The name is group 1 or group 2.
INTRODUCED_NAME = re.compile(
    rf"\b(?:[Ww]e (?i:{INTRODUCING_VERBS})|[Tt]his (?:paper|work) (?i:introduces|presents))"
    rf"\s+(?:the |a |an )?({_NAME})"
    rf"|\b(?:[Ww]e (?:{INTRODUCING_VERBS})|called|named|dubbed|termed)\s+"
    rf"(?:[\w-]+\s+){{0,5}}?(?:[-\u2013\u2014]\s*)?({_NAME})"
    r"(?=\s*[-\u2013\u2014,)]|\s+(?:for|that|which|to)\b)"
)
#: A name defined with its long form: "Local Interaction Basis (LIB)" or "FIND (Function ...".
DEFINED_NAME = re.compile(
    r"\(([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)\)|\b([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)\s+\("
)
#: Endings of a hyphenated term that make a new word of a name: "SAE-V-based", "LLM-level".
NAME_SUFFIX = re.compile(
    r"-(?:based|centric|like|level|wise|aware|driven|guided|specific|style|scale|free|only|type|oriented)$",
    re.IGNORECASE,
)
#: A term this long also matches a longer word it starts ("Brazil" in "Brazilian"); a
#: shorter one must match whole, so "SAD" is not found in "saddle".
PREFIX_MATCH_CHARS = 5

_TOKEN = re.compile(r"[^\W_][\w'’]*(?:[-/.][^\W_][\w'’]*)*")


def introduced(text: str) -> Iterator[tuple[str, int]]:
    """(name, where it ends) for each name the text introduces (see `INTRODUCED_NAME`)."""
    for m in INTRODUCED_NAME.finditer(text):
        name = m.group(1) or m.group(2)
        yield name, m.end(1) if m.group(1) else m.end(2)


def defined(text: str) -> set[str]:
    """Names the text introduces or defines with their long form."""
    found = {a or b for a, b in DEFINED_NAME.findall(text)}
    return found | {name for name, _ in introduced(text)}


def is_term(token: str, first: bool) -> bool:
    """A token that names something: an acronym (CASAL, LoRA, SAE-V), a token mixing letters
    and digits (ResNet18, Pi0, GPT-4), or a capitalised word inside the sentence."""
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return False
    capitals = sum(c.isupper() for c in letters)
    if capitals >= 2 or (any(c.isdigit() for c in token) and capitals >= 1):
        return True
    return not first and token[0].isupper() and token.lower() not in STOPWORDS


def terms(text: str) -> list[str]:
    """Names and technical terms of a sentence, in order, once each (numbers apart)."""
    found: list[str] = []
    first = True
    for m in _TOKEN.finditer(text):
        token = re.sub(r"['’]s$", "", m.group(0)).rstrip(".'’")  # CASAL's -> CASAL
        before = text[: m.start()].rstrip()
        starts_clause = first or before.endswith((":", ";", '"', "“")) and token[:1].isupper()
        if token and is_term(token, starts_clause):
            found.append(NAME_SUFFIX.sub("", token))
        first = False
    return list(dict.fromkeys(found))


def found(term: str, haystack: str) -> bool:
    """`term` occurs as a word (or words) of the folded `haystack`; a plural "s" is optional."""
    key = fold(term)
    if not key:
        return True
    stem = key[:-1] if key.endswith("s") and len(key) > 3 else key
    # a plural "s" is optional; a longer term may be the start of a word ("Brazil", "Brazilian")
    tail = r"\w*" if len(stem) >= PREFIX_MATCH_CHARS else r"(?:s|es)?"
    if re.search(rf"(?<![\w]){re.escape(stem)}{tail}(?![\w])", haystack):
        return True
    # "Dempster-Shafer" written "Dempster Shafer", or a term split by a hyphen in the source
    spaced = re.sub(r"[-/]", " ", key)
    return spaced != key and spaced in re.sub(r"[-/]", " ", haystack)
