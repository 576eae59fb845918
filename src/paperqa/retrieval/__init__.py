"""Finding passages: hybrid dense + BM25 search, the paper-name table, the BM25 corpus cache."""
