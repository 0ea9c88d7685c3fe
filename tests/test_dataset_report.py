"""The dataset report's top-k with random tie-breaking equals brute force over every order of the tied subnets."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from dataset_report import expected_best_with_random_ties


def test_tie_expectation_equals_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(60):
        n = int(rng.integers(3, 7))
        k = int(rng.integers(1, n + 1))
        score, gt = rng.integers(0, 3, n).astype(float), rng.normal(size=n)
        got, group = expected_best_with_random_ties(score, gt, k)
        brute = [max(gt[sorted(range(n), key=lambda i, p=p: (-score[i], p.index(i)))[:k]])
                 for p in itertools.permutations(range(n))]
        assert abs(got - np.mean(brute)) < 1e-9
        assert group == int((score == np.sort(score)[::-1][k - 1]).sum())


def test_hand_worked_case():
    # scores 3, 2, 2, 2, 1; k = 2: one subnet above the cut (GT 1), one of three tied (GT 0, 5, 2) drawn at random
    expect, group = expected_best_with_random_ties(np.array([3, 2, 2, 2, 1.0]), np.array([1, 0, 5, 2, 9.0]), 2)
    assert group == 3 and expect == (1 + 5 + 2) / 3
