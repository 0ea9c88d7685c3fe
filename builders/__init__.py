"""Builders of wsbench datasets: supernets, scoring, ground truth. Imports wsbench, never the reverse.

Ground-truth importers (``builders.groundtruth``) need no torch.
"""
