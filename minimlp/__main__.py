"""`python -m minimlp` is the `minimlp` command."""
from .cli import main

main()
