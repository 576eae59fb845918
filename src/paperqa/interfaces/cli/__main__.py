"""`python -m paperqa.interfaces.cli`."""

from paperqa.interfaces.cli import main

main()
