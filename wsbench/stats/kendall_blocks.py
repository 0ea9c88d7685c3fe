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

A block of one tie group needs no signs at all (all its pairs tie). The sums over tie groups of t^2 come from
the groups' total multiplicities. Every quantity is an integer: the matrix products run in float32 (each entry a
sum of at most N multiplicities, N < 2^24: exact), sums of products in float32 only where a bound shows they stay
below 2^24, else in float64 (exact below 2^53); so each resample's tau-b is the very float that
:func:`wsbench.stats.coefficients.kendall_tau_b` gives on the resample itself (property-tested).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

#: items per block (at least sqrt(n); blocks grow past it only to keep a tie group whole). macro-cifar10 (3,969
#: subnets, 1,000 resamples, a busy 2-core machine): 48 / 64 / 96 / 128 -> 0.17 / 0.18 / 0.23 / 0.32 s a draw set
BLOCK = 64
#: resamples per batch: bounds the temporaries to about CHUNK_CELLS float32 entries
CHUNK_CELLS = 1 << 22


class _Blocks(NamedTuple):
    block: np.ndarray  # (n,) block index of each item
    count: int  # number of blocks
    mixed: np.ndarray  # (K, size) item indices of the blocks holding two or more values, padded with n


def dense_ranks(v: np.ndarray) -> np.ndarray:
    """0..u-1, equal values equal ranks (float NaN must be removed first)."""
    _, r = np.unique(v, return_inverse=True)
    return r.reshape(-1).astype(np.int64)


def _blocks(r: np.ndarray, size: int) -> _Blocks:
    """Consecutive runs of the order of ``r``, at most ``size`` items each unless one tie group alone is larger
    (greedy: a group goes into the current block if it fits, else starts the next). A block of one tie group
    needs no pair signs (all its pairs tie): only the blocks of two or more values are listed for them."""
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
    groups_in = np.bincount(group_block, minlength=k)
    which = np.flatnonzero(groups_in > 1)  # at most size items each (a block over size is one group)
    pos = first[which][:, None] + np.arange(size)[None, :]
    valid = pos < first[which + 1][:, None]
    return _Blocks(block, k, np.where(valid, order[np.minimum(pos, n - 1)], n))


def _block_matrices(items: np.ndarray, rx: np.ndarray, ry: np.ndarray, other_block: np.ndarray | None) -> np.ndarray:
    """(K, M, M) float32: the pair signs S of each block (only pairs in different ``other_block``s when given);
    padding (index n) rows and columns are zero."""
    n = len(rx)
    valid = items < n
    i = np.minimum(items, n - 1)
    both = valid[:, :, None] & valid[:, None, :]
    s = np.sign(rx[i][:, :, None] - rx[i][:, None, :]) * np.sign(ry[i][:, :, None] - ry[i][:, None, :])
    if other_block is not None:
        both &= other_block[i][:, :, None] != other_block[i][:, None, :]
    return np.where(both, s, 0).astype(np.float32)


#: float32 sums of integers stay exact below this
EXACT32 = float(1 << 24)
#: multiply-adds per matrix product: OpenBLAS runs smaller products on one thread, and its threads busy-wait on a
#: loaded machine (measured on 2 busy cores: one (1000 x 64) @ (64 x 128) product 0.07 s on one thread, 0.2-2 s on
#: two), so the resamples go through in row chunks this small (numpy loops over the stack in C)
SINGLE_THREAD_MACS = 1 << 18


def _quadratic(ct: np.ndarray, items: np.ndarray, mats: np.ndarray) -> np.ndarray:
    """Per resample: the sum over blocks of c_P' S_P c_P. ``ct`` (n + 1, B) holds the multiplicities one item per
    row (the last row zero: the padding), B a multiple of :func:`_rows` for these blocks; ``mats`` (K, M, M) the
    blocks' S (symmetric)."""
    k, m = items.shape
    b = ct.shape[1]
    r = _rows(m)
    blocks = ct[items].reshape(k, m, b // r, r).transpose(0, 2, 1, 3)  # (K, B/r, M, r)
    prod = np.matmul(mats[:, None], blocks)  # (K, B/r, M, r): integers, each at most the block's total
    totals = blocks.sum(axis=2)  # (K, B/r, r): exact, at most N < 2^24
    # a block's c'Sc is at most its total squared: exact in float32 below 2^24, else in float64
    kind = np.float32 if float(totals.max(initial=0.0)) ** 2 < EXACT32 else np.float64
    s = np.einsum("knmr,knmr->knr", prod, blocks, dtype=kind)
    return s.astype(np.float64).sum(axis=0).reshape(b)


def _tie_squares(ct: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Per resample: the sum over tie groups of ``r`` of (the group's total multiplicity)^2, exact in float64;
    ``ct`` (n, B). Group totals are summed one member per group at a time (no repeated index in a +=)."""
    order = np.argsort(r, kind="stable")
    rs = r[order]
    new = np.concatenate(([True], rs[1:] != rs[:-1]))
    if new.all():  # no ties: each group is one item
        return np.einsum("nb,nb->b", ct, ct, dtype=np.float64)
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    place = np.arange(len(rs)) - starts[group]
    totals = np.zeros((len(starts), ct.shape[1]), dtype=np.float32)  # at most N < 2^24: exact
    for level in range(int(place.max()) + 1):
        at = place == level
        totals[group[at]] += ct[order[at]]
    return np.einsum("gb,gb->b", totals, totals, dtype=np.float64)


def _rows(m: int) -> int:
    """Resamples per matrix product for blocks of m (a power of two, so one chunk of rows suits every bucket)."""
    return 1 << max(0, (SINGLE_THREAD_MACS // (2 * m * m)).bit_length() - 1)


def _grid_term(ct: np.ndarray, bx: np.ndarray, kx: int, by: np.ndarray, ky: int) -> np.ndarray:
    """Sum over ordered pairs in different x-blocks and different y-blocks of c_i c_j sign(dx) sign(dy), from the
    (Kx, Ky, B) grid of block totals (every partial sum an integer of at most N < 2^24: exact in float32);
    ``ct`` (n, B). Running sums go block by block in Python: NumPy's cumsum along an outer axis is ~100x
    slower than these ~sqrt(n) vector additions."""
    b = ct.shape[1]
    cell = bx * ky + by
    order = np.argsort(cell, kind="stable")
    cs = cell[order]
    starts = np.flatnonzero(np.concatenate(([True], cs[1:] != cs[:-1])))
    place = np.arange(len(cs)) - np.repeat(starts, np.diff(np.append(starts, len(cs))))  # rank inside its cell
    grid = np.zeros((kx * ky, b), dtype=np.float32)
    for level in range(int(place.max()) + 1):  # one item per cell per pass: no repeated index in a +=
        at = place == level
        grid[cs[at]] += ct[order[at]]
    grid = grid.reshape(kx, ky, b)
    before = np.empty_like(grid)  # items in earlier x-blocks, per y-block
    before[0] = 0
    for p in range(1, kx):
        np.add(before[p - 1], grid[p - 1], out=before[p])
    below = np.empty_like(grid)  # ... and in earlier y-blocks
    below[:, 0] = 0
    for q in range(1, ky):
        np.add(below[:, q - 1], before[:, q - 1], out=below[:, q])
    earlier = below[:, -1] + before[:, -1]  # (Kx, B): all items in earlier x-blocks
    # below - above = below - (earlier - below - before) = 2 below + before - earlier: in place, each at most N
    below *= 2
    below += before
    # per x-block: sum_q grid (2 below + before) - (its total) x earlier, each at most its total x N
    total = float(ct.sum(axis=0).max(initial=0.0))
    block_total = grid.sum(axis=1)  # (Kx, B)
    kind = np.float32 if float(block_total.max(initial=0.0)) * 2 * total < EXACT32 else np.float64
    per_block = np.einsum("pqb,pqb->pb", grid, below, dtype=kind).astype(np.float64)
    per_block -= block_total.astype(np.float64) * earlier
    return 2 * per_block.sum(axis=0)  # each unordered pair counted from both sides


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
    x_mats = _block_matrices(xb.mixed, rx, ry, None)
    y_mats = _block_matrices(yb.mixed, rx, ry, xb.block)
    n = len(rx)
    chunk = _rows(block)
    rows = max(chunk, CHUNK_CELLS // max(n, 1) // chunk * chunk)
    parts = []
    for lo in range(0, c.shape[0], rows):
        part = c[lo:lo + rows]
        width = -(-len(part) // chunk) * chunk
        ct = np.zeros((n + 1, width), dtype=np.float32)  # one item per row; padded columns draw nothing
        ct[:n, :len(part)] = part.T
        quad = (_quadratic(ct, xb.mixed, x_mats) + _quadratic(ct, yb.mixed, y_mats)
                + _grid_term(ct[:n], xb.block, xb.count, yb.block, yb.count))
        total = part.sum(axis=1)
        m = len(part)
        sq_x, sq_y = _tie_squares(ct[:n], rx)[:m], _tie_squares(ct[:n], ry)[:m]
        parts.append((quad[:m] / 2, (sq_x - total) / 2, (sq_y - total) / 2, total))
    return KendallParts(*(np.concatenate(p) for p in zip(*parts, strict=True)))


def tau_b(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall's tau-b of each row of multiplicities ``c`` (B, n) over finite ``x``, ``y`` (n,): a bootstrap
    resample, or a 0/1 subset. The very float :func:`wsbench.stats.coefficients.kendall_tau_b` gives on the
    expanded data (the same integers over the same square roots); NaN under 3 copies or with one distinct value
    in either, as :func:`wsbench.stats.coefficients.correlate`."""
    p = kendall_parts(c, x, y)
    n0 = p.total * (p.total - 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = p.con_minus_dis / (np.sqrt(n0 - p.tied_x) * np.sqrt(n0 - p.tied_y))
    return np.where((p.tied_x == n0) | (p.tied_y == n0) | (p.total < 3), np.nan, tau)
