"""DARTS recurrent cell (Penn Treebank): model with shared per-node weights, presets, LM training."""
