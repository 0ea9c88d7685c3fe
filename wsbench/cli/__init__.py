"""The ``wsbench`` command line (Typer); see ``wsbench --help``."""
