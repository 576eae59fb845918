"""Check: whether written sentences are grounded in and supported by what they cite, and
their citations parsed."""
