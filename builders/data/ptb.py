"""Penn Treebank (Mikolov's word-level split) as token ids, the way DARTS / AWD-LSTM read it.

Each line's words plus ``<eos>``; the vocabulary is built in order of first
appearance over train, valid, test (10,000 types). ``batchify`` cuts the token
stream into ``bsz`` contiguous columns, dropping the remainder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wsbench.errors import OptionError

SPLITS = ("train", "valid", "test")
#: md5 of Mikolov's files (the versions DARTS and AWD-LSTM use)
MD5 = {"train": "f26c4b92c5fdc7b3f8c7cdcb991d8420", "valid": "aa0affc06ff7c36e977d7cd49e3839bf",
       "test": "8b80168b89c18661a38ef683c0dc3721"}


@dataclass(frozen=True)
class Corpus:
    vocab: tuple[str, ...]
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    md5: dict[str, str]

    @property
    def official(self) -> bool:
        """True when all three files are byte-identical to the published ones."""
        return self.md5 == MD5


def read_ptb(data_dir: str | Path) -> Corpus:
    d = Path(data_dir)
    files = {s: d / f"ptb.{s}.txt" for s in SPLITS}
    absent = [str(p) for p in files.values() if not p.is_file()]
    if absent:
        raise OptionError(f"Penn Treebank files not found: {absent}; --data-dir must hold ptb.train.txt, "
                          "ptb.valid.txt and ptb.test.txt")
    index: dict[str, int] = {}
    ids, md5 = {}, {}
    for s, p in files.items():
        raw = p.read_bytes()
        md5[s] = hashlib.md5(raw).hexdigest()
        out = []
        for line in raw.decode("utf-8").splitlines():
            for w in [*line.split(), "<eos>"]:
                out.append(index.setdefault(w, len(index)))
        ids[s] = np.array(out, dtype=np.int64)
    return Corpus(tuple(index), ids["train"], ids["valid"], ids["test"], md5)


def batchify(tokens: np.ndarray, bsz: int) -> np.ndarray:
    """[steps, bsz]: column j is the j-th contiguous slice of the stream."""
    n = len(tokens) // bsz
    return tokens[: n * bsz].reshape(bsz, n).T.copy()
