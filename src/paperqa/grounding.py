"""The grounding check as a public API, for programs that check their own model's text:

    >>> from paperqa.grounding import ground
    >>> ground("CASAL cuts hallucination by 30%.", ["... reduces hallucination by 30%-40% ..."]).ok

The implementation lives in `paperqa.answer.check.grounding`.
"""

from paperqa.answer.check.grounding import Grounding, ground

__all__ = ["Grounding", "ground"]
