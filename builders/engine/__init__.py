"""The supernet engine: single-path one-shot (SPOS) training with uniform sampling, and per-epoch scoring
of every sampled subnet with inherited weights, written into a wsbench store as it goes."""
