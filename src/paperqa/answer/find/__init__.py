"""Find: the passages and papers a question is about (retrieval calls, the relevance gate,
the papers of a list question, the papers a request names) grouped into numbered sources."""
