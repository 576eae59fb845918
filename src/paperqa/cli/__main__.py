"""`python -m paperqa.cli`."""

from paperqa.cli import main

main()
