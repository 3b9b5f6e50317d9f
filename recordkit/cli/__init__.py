"""The command line (the only package that imports click): one module per command group,
``output`` for tables, JSON and progress, ``main`` for the root group. Entry point
``recordkit = "recordkit.cli:main"``; ``python -m recordkit.cli`` runs the same."""

from recordkit.cli.main import cli, main

__all__ = ["cli", "main"]
