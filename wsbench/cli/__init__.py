"""The ``wsbench`` command line (argparse; Rich for tables): see ``wsbench --help``."""

import os

# Set before NumPy is imported (the command's modules import it): a command is short, single-threaded NumPy, and
# OpenBLAS's worker threads (started at NumPy's import, used by dot products of more than ~10,000 items) spin after
# each call, taking the CPU from the main thread on a busy machine: `wsbench evaluate` of 15,625 NB201 cells used
# 0.47 s of CPU with them, 0.30 s without (benchmarks/README.md). One thread unless the user chose another number;
# dot products of up to 10,000 items (every bundled dataset) run on one thread either way, so no result changes.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
