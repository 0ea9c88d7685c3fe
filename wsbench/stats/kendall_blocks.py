"""Kendall's tau-b of many bootstrap resamples at once, exactly, in O(B n sqrt(n)) instead of O(B n^2). (NumPy only.)

A resample is a vector of multiplicities ``c`` (how often each of the n subnets is drawn). Its tau-b needs
``c' S c`` (S = sign(x_i - x_j) sign(y_i - y_j), the concordance of each pair; copies of one subnet tie with each
other, so they add nothing) and the tied pairs in x and in y (sum over tie groups of t(t-1)/2, t = the group's
total multiplicity). The dense form builds S (n^2 entries: 16M at macro-cifar10's 3,969 subnets) and multiplies
every resample with it.

Here the subnets are cut into about sqrt(n) blocks of consecutive x-order and, separately, of consecutive
y-order, never splitting a tie group. A pair then falls in one of three parts:

* same x-block: its exact sign from a small dense block of S (one batched matrix product over the blocks);
* different x-blocks, same y-block: the same, over the y-blocks (pairs inside one x-block left out);
* different x-blocks and different y-blocks: both signs follow from the blocks' order alone, so the pair's
  contribution is the Kendall sum of a small grid (x-block x y-block) of total multiplicities, taken with two
  running sums.

Tie groups sit inside one block, so the sum over groups of t^2 comes from the same block products (an equality
matrix beside S). Every quantity is an integer: the matrix products run in float32 (each entry is a sum of at
most N multiplicities, N < 2^24, exact) and everything after in float64 (exact below 2^53), so the result equals
the dense form's bit for bit.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

#: items per block (blocks grow past it only to keep a tie group whole); measured on macro-cifar10 (3,969 subnets,
#: 1,000 resamples): 32 / 64 / 128 -> see benchmarks/bootstrap_speed.py
BLOCK = 64
#: resamples per batch: bounds the temporaries to about CHUNK_CELLS float32 entries
CHUNK_CELLS = 1 << 22


class _Blocks(NamedTuple):
    block: np.ndarray  # (n,) block index of each item
    count: int  # number of blocks
    buckets: list[np.ndarray]  # (K, M) item indices of the blocks of one padded size M, padded with n


def dense_ranks(v: np.ndarray) -> np.ndarray:
    """0..u-1, equal values equal ranks (float NaN must be removed first)."""
    _, r = np.unique(v, return_inverse=True)
    return r.reshape(-1).astype(np.int64)


def _blocks(r: np.ndarray, size: int) -> _Blocks:
    """Consecutive runs of the order of ``r``, at most ``size`` items each unless one tie group alone is larger
    (greedy: a group goes into the current block if it fits, else starts the next)."""
    n = len(r)
    order = np.argsort(r, kind="stable")
    rs = r[order]
    starts = np.flatnonzero(np.concatenate(([True], rs[1:] != rs[:-1])))
    sizes = np.diff(np.append(starts, n))
    if sizes.max() == 1:
        group_block = np.arange(len(sizes)) // size
    else:
        group_block = np.empty(len(sizes), dtype=np.int64)
        b = fill = 0
        for g, s in enumerate(sizes.tolist()):
            if fill and fill + s > size:
                b, fill = b + 1, 0
            group_block[g] = b
            fill += s
    in_sorted = np.repeat(group_block, sizes)  # block of each item in sorted order (non-decreasing)
    block = np.empty(n, dtype=np.int64)
    block[order] = in_sorted
    k = int(in_sorted[-1]) + 1
    first = np.searchsorted(in_sorted, np.arange(k + 1))  # first sorted position of each block, and n
    lengths = np.diff(first)
    padded = np.where(lengths <= size, size, -(-lengths // size) * size)  # rare big tie groups: multiples of size
    buckets = []
    for m in np.unique(padded).tolist():
        which = np.flatnonzero(padded == m)
        pos = first[which][:, None] + np.arange(m)[None, :]
        valid = pos < first[which + 1][:, None]
        buckets.append(np.where(valid, order[np.minimum(pos, n - 1)], n))
    return _Blocks(block, k, buckets)


def _block_matrices(items: np.ndarray, rx: np.ndarray, ry: np.ndarray, tie: np.ndarray,
                    other_block: np.ndarray | None) -> np.ndarray:
    """(K, M, 2M) float32: [S | E] of each block; S = the pair signs (only pairs in different ``other_block``s
    when given), E = 1 where the pair ties in ``tie``; padding (index n) rows and columns are zero."""
    n = len(rx)
    valid = items < n
    i = np.minimum(items, n - 1)
    both = valid[:, :, None] & valid[:, None, :]
    s = np.sign(rx[i][:, :, None] - rx[i][:, None, :]) * np.sign(ry[i][:, :, None] - ry[i][:, None, :])
    if other_block is not None:
        both_s = both & (other_block[i][:, :, None] != other_block[i][:, None, :])
    else:
        both_s = both
    e = (tie[i][:, :, None] == tie[i][:, None, :]) & both
    return np.concatenate((np.where(both_s, s, 0), e), axis=2).astype(np.float32)


def _quadratic(c32: np.ndarray, c64: np.ndarray, items: np.ndarray, mats: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per resample: sum over blocks of (c_P' S_P c_P, c_P' E_P c_P), ``c32``/``c64`` (B, n + 1) with a zero last
    column for the padding."""
    k, m = items.shape
    blocks = c32[:, items].transpose(1, 0, 2)  # (K, B, M)
    prod = np.matmul(blocks, mats).astype(np.float64)  # (K, B, 2M), exact integers
    w = c64[:, items].transpose(1, 0, 2)
    s = np.einsum("kbm,kbm->b", prod[:, :, :m], w)
    e = np.einsum("kbm,kbm->b", prod[:, :, m:], w)
    return s, e


def _grid_term(c64: np.ndarray, bx: np.ndarray, kx: int, by: np.ndarray, ky: int) -> np.ndarray:
    """Sum over ordered pairs in different x-blocks and different y-blocks of c_i c_j sign(dx) sign(dy), from the
    (B, Kx, Ky) grid of block totals."""
    b = c64.shape[0]
    cell = bx * ky + by
    order = np.argsort(cell, kind="stable")
    cs = cell[order]
    starts = np.flatnonzero(np.concatenate(([True], cs[1:] != cs[:-1])))
    grid = np.zeros((b, kx * ky))
    grid[:, cs[starts]] = np.add.reduceat(c64[:, order], starts, axis=1)
    grid = grid.reshape(b, kx, ky)
    before = np.cumsum(grid, axis=1) - grid  # items in earlier x-blocks, per y-block
    below = np.cumsum(before, axis=2) - before  # ... and in earlier y-blocks
    above = before.sum(axis=2, keepdims=True) - below - before  # ... and in later y-blocks
    return 2 * np.einsum("bpq,bpq->b", grid, below - above)  # each unordered pair counted from both sides


class KendallParts(NamedTuple):
    con_minus_dis: np.ndarray  # (B,) concordant - discordant pairs of each resample
    tied_x: np.ndarray  # (B,) pairs tied in x
    tied_y: np.ndarray  # (B,) pairs tied in y
    total: np.ndarray  # (B,) items drawn


def kendall_parts(c: np.ndarray, x: np.ndarray, y: np.ndarray, block: int = BLOCK) -> KendallParts:
    """The integer parts of Kendall's tau-b of every resample: ``c`` (B, n) multiplicities, ``x``, ``y`` (n,)
    finite values."""
    rx, ry = dense_ranks(x), dense_ranks(y)
    block = max(block, math.isqrt(len(rx)))  # at most ~n grid cells per resample
    xb, yb = _blocks(rx, block), _blocks(ry, block)
    x_mats = [_block_matrices(items, rx, ry, rx, None) for items in xb.buckets]
    y_mats = [_block_matrices(items, rx, ry, ry, xb.block) for items in yb.buckets]
    n = len(rx)
    rows = max(1, CHUNK_CELLS // max(n, 1))
    parts = []
    for lo in range(0, c.shape[0], rows):
        c64 = np.zeros((min(rows, c.shape[0] - lo), n + 1))
        c64[:, :n] = c[lo:lo + rows]
        c32 = c64.astype(np.float32)
        quad = np.zeros(len(c64))
        sq_x = np.zeros(len(c64))
        sq_y = np.zeros(len(c64))
        for items, mats in zip(xb.buckets, x_mats, strict=True):
            s, e = _quadratic(c32, c64, items, mats)
            quad += s
            sq_x += e
        for items, mats in zip(yb.buckets, y_mats, strict=True):
            s, e = _quadratic(c32, c64, items, mats)
            quad += s
            sq_y += e
        quad += _grid_term(c64[:, :n], xb.block, xb.count, yb.block, yb.count)
        total = c64.sum(axis=1)
        parts.append((quad / 2, (sq_x - total) / 2, (sq_y - total) / 2, total))
    return KendallParts(*(np.concatenate(p) for p in zip(*parts, strict=True)))
