"""Train-from-scratch ground truth: each architecture trained alone, per GT seed (needs torch).

``train.py`` for image spaces, ``lm.py`` for the DARTS-PTB language model.
Importers of published benchmarks live in ``builders/groundtruth`` (no torch).
"""
