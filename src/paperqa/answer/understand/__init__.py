"""Understand: what a question asks, read once into an `Intent` (its kind, the papers it is
about, what retrieval searches), and whether it asks about the papers' records."""
