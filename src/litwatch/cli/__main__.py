"""`python -m litwatch.cli ...` runs the command line."""

from litwatch.cli import main

main()
