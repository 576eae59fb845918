"""Token counting with tiktoken's cl100k_base, loaded from a file shipped with paperqa.

`tiktoken.get_encoding` would download the BPE file; paperqa ships the same
file (`data/cl100k_base.tiktoken`, published by OpenAI, MIT) and checks it
against OpenAI's own sha256 before use.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources

import tiktoken

from paperqa.errors import ConfigError

ENCODING_NAME = "cl100k_base"
#: The hash tiktoken itself pins for cl100k_base (tiktoken_ext.openai_public).
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
#: cl100k_base's split pattern and special tokens, as in tiktoken_ext.openai_public.
CL100K_PAT_STR = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
CL100K_SPECIAL_TOKENS = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}


@functools.cache
def encoding() -> tiktoken.Encoding:
    """The cl100k_base encoding, built offline from the shipped, hash-checked file."""
    data = (resources.files("paperqa") / "data" / "cl100k_base.tiktoken").read_bytes()
    if hashlib.sha256(data).hexdigest() != CL100K_SHA256:
        raise ConfigError(
            "paperqa's cl100k_base.tiktoken does not match its sha256: the installation is "
            "damaged; reinstall paperqa-reader (`make install`)."
        )
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }
    return tiktoken.Encoding(
        name=ENCODING_NAME,
        pat_str=CL100K_PAT_STR,
        mergeable_ranks=ranks,
        special_tokens=CL100K_SPECIAL_TOKENS,
    )


def count_tokens(text: str) -> int:
    """Tokens of `text` in cl100k_base; special-token strings count as plain text."""
    return len(encoding().encode_ordinary(text))
