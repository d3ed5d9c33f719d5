"""`python -m gateway` is the `lapor-gateway` command."""

from gateway.cli import main

main()
