from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from factory import make_store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete nb201 store folder: 60 subnets, epochs 1,2,4, seeds 0,1,2, two GT seeds."""
    return make_store(tmp_path_factory.mktemp("stores") / "nb201.zarr", n=60, gt_seeds=(0, 1))


@pytest.fixture(scope="session")
def store_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("zips")
    return make_store(d / "nb201.zarr", n=60, zip_path=d / "nb201.zip", rng_seed=1)


@pytest.fixture(scope="module")
def tiny_cifar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 training + 50 test images (32x32) whose class shows in their mean colour, in CIFAR-10's binary layout:
    enough for a tiny real supernet build to learn something (builder tests; some test files keep their own)."""
    import numpy as np

    from builders.data.cifar10 import Split, write_cifar10_bin

    rng = np.random.default_rng(1)

    def make(n: int) -> Split:
        y = rng.integers(0, 10, n)
        return Split((rng.integers(0, 60, (n, 3, 32, 32)) + (y * 20)[:, None, None, None]).astype(np.uint8), y)

    d = tmp_path_factory.mktemp("cifar")
    write_cifar10_bin(d, make(400), make(50))
    return d
