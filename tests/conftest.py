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
