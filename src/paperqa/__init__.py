"""paperqa: cited answers from a library of scientific papers."""
