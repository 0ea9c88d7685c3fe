"""CIFAR-10 from the official binary layout (``cifar-10-batches-bin/``), as NumPy arrays.

Each ``data_batch_{1..5}.bin`` / ``test_batch.bin`` holds 10,000 records of
1 label byte + 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, row
major). The path is always an option; a copy made from a JPEG re-encoding
(as on the wsbench build machine) must say so in the dataset attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wsbench.errors import StoreNotFoundError, WsbenchError

RECORD = 1 + 3 * 32 * 32
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"


class DataFormatError(WsbenchError, ValueError):
    """A data file with the wrong size or layout."""


@dataclass(frozen=True)
class Split:
    """Images (N, 3, H, W) uint8 and labels (N,) int64 of one split."""

    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


def _batches_dir(data_dir: str | Path) -> Path:
    d = Path(data_dir)
    for cand in (d / "cifar-10-batches-bin", d):
        if (cand / TEST_FILE).is_file():
            return cand
    raise StoreNotFoundError(
        f"{d}: no cifar-10-batches-bin/{TEST_FILE}; expected the official binary layout "
        "(builders.data.cifar10.download_cifar10() fetches the official archive)"
    )


def _read(path: Path) -> Split:
    if not path.is_file():
        raise StoreNotFoundError(f"{path}: missing CIFAR-10 batch file")
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % RECORD:
        raise DataFormatError(f"{path}: {raw.size} bytes is not a whole number of {RECORD}-byte records (truncated?)")
    rec = raw.reshape(-1, RECORD)
    labels = rec[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DataFormatError(f"{path}: label {labels.max()} out of range 0..9; not a CIFAR-10 batch")
    return Split(rec[:, 1:].reshape(-1, 3, 32, 32), labels)


def fingerprint(data_dir: str | Path) -> dict[str, str]:
    """sha256 of every file the loader reads: what provenance records instead of a machine's path."""
    from builders.core.files import sha256_file

    d = _batches_dir(data_dir)
    return {f: sha256_file(d / f) for f in (*TRAIN_FILES, TEST_FILE)}


def load_cifar10(data_dir: str | Path) -> tuple[Split, Split]:
    """(train 50,000, test 10,000) from the official binary files."""
    d = _batches_dir(data_dir)
    parts = [_read(d / f) for f in TRAIN_FILES]
    train = Split(np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts]))
    return train, _read(d / TEST_FILE)


def prepare(data_dir: str | Path, *, train_size: int, valid_size: int, split_seed: int,
            resolution: int) -> tuple[Split, Split]:
    """(train, valid) at ``resolution``: a seeded held-out split of the official training set (never trained
    on) and ``train_size`` seeded images of the rest. Asking for more images than exist is an error."""
    from wsbench.errors import OptionError

    full, _test = load_cifar10(data_dir)
    if valid_size < 1 or valid_size >= len(full):
        raise OptionError(f"held-out size must lie in 1..{len(full) - 1} (CIFAR-10 has {len(full)} training "
                          f"images), got {valid_size}")
    train, valid = split_train_valid(full, valid_size, split_seed)
    if train_size < 1 or train_size > len(train):
        raise OptionError(f"train size must lie in 1..{len(train)} ({len(full)} training images minus "
                          f"{valid_size} held out), got {train_size}; lower --train-size or --valid-size")
    if train_size < len(train):
        idx = np.sort(np.random.default_rng(split_seed + 1).permutation(len(train))[:train_size])
        train = Split(train.x[idx], train.y[idx])
    if resolution != 32:
        train, valid = downsample(train, resolution), downsample(valid, resolution)
    return train, valid


def split_train_valid(train: Split, valid_size: int, seed: int) -> tuple[Split, Split]:
    """A seeded, class-agnostic split of the training set: held-out images are never trained on."""
    if not 0 < valid_size < len(train):
        from wsbench.errors import OptionError

        raise OptionError(f"valid_size must lie in 1..{len(train) - 1} for {len(train)} training images, got {valid_size}")
    perm = np.random.default_rng(seed).permutation(len(train))
    v, t = np.sort(perm[:valid_size]), np.sort(perm[valid_size:])
    return Split(train.x[t], train.y[t]), Split(train.x[v], train.y[v])


def downsample(split: Split, size: int) -> Split:
    """Box-filter down to ``size`` x ``size`` (32 must be a multiple), as the mini presets use."""
    f = 32 // size
    if f * size != 32:
        raise ValueError(f"size must divide 32, got {size}")
    x = split.x.reshape(len(split), 3, size, f, size, f).astype(np.float32).mean(axis=(3, 5))
    return Split(np.rint(x).astype(np.uint8), split.y)


def write_cifar10_bin(folder: str | Path, train: Split, test: Split) -> Path:
    """Write the official layout (used by tests to make tiny data; 5 train files of equal size)."""
    d = Path(folder) / "cifar-10-batches-bin"
    d.mkdir(parents=True, exist_ok=True)
    chunks = np.array_split(np.arange(len(train)), 5)
    for name, idx in zip(TRAIN_FILES, chunks):
        _write(d / name, Split(train.x[idx], train.y[idx]))
    _write(d / TEST_FILE, test)
    return d


def _write(path: Path, s: Split) -> None:
    rec = np.concatenate([s.y.astype(np.uint8)[:, None], s.x.reshape(len(s), -1)], axis=1)
    rec.tofile(path)


#: the official binary archive and the md5 published beside it on the CIFAR page
OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
OFFICIAL_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"


def download_cifar10(dest_dir: str | Path | None = None, *, url: str = OFFICIAL_URL, md5: str = OFFICIAL_MD5,
                     progress: bool | None = None) -> Path:
    """Fetch the official archive into the wsbench cache (md5-verified, atomic) and unpack it safely.

    Returns the folder that holds ``cifar-10-batches-bin/``; does nothing if it is already there.
    """
    import tarfile

    from wsbench.fetch import cache_dir, download

    dest = Path(dest_dir) if dest_dir else cache_dir() / "cifar10"
    if (dest / "cifar-10-batches-bin" / TEST_FILE).is_file():
        return dest
    archive = download(url, dest / "cifar-10-binary.tar.gz", md5, algorithm="md5", progress=progress)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(dest, filter="data")  # refuses absolute paths, links out of dest, devices
    _batches_dir(dest)  # the archive must have held the expected layout
    return dest
