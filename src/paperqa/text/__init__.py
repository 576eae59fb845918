"""Text utilities shared by every layer: sentences, words and word lists, tokens."""
