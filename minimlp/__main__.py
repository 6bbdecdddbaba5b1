"""`python -m minimlp` is the `minimlp` command."""
from .cli.entry import run

run()
