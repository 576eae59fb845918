"""Answering: the question's intent, the decline gate, evidence selection, generation, the grounding and
support checks, and the assembled, cited `Answer` (ask, summarize, compare)."""
