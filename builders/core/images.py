"""Image tensors as every image builder feeds them: normalised CIFAR-10 pixels and seeded augmentation."""

from __future__ import annotations

import numpy as np

MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32).reshape(1, 3, 1, 1)


def to_tensor(x: np.ndarray):
    import torch

    return torch.from_numpy((x.astype(np.float32) / 255.0 - MEAN) / STD)


def augment(x, rng: np.random.Generator, padding: int, flip: bool):
    """Random crop with zero padding and horizontal flip, per image, driven by ``rng``."""
    import torch

    n, _, h, w = x.shape
    if padding:
        x = torch.nn.functional.pad(x, (padding,) * 4)
        dy, dx = rng.integers(0, 2 * padding + 1, size=(2, n))
        rows = torch.from_numpy(dy[:, None] + np.arange(h)[None])  # (n, h)
        cols = torch.from_numpy(dx[:, None] + np.arange(w)[None])
        x = x[torch.arange(n)[:, None, None, None], torch.arange(3)[None, :, None, None],
              rows[:, None, :, None], cols[:, None, None, :]]
    if flip:
        mask = torch.from_numpy(rng.random(n) < 0.5)
        x[mask] = x[mask].flip(-1)
    return x
