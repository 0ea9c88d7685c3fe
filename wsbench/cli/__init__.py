"""The ``wsbench`` command line (argparse; Rich for tables): see ``wsbench --help``."""
