"""NAS-Bench-101 cell space (Ying et al., ICML 2019).

A cell is a DAG of at most 7 vertices (input, <= 5 ops, output) and at most 9
edges; ops are conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3. As in the official
``ModelSpec``, vertices not on an input->output path are pruned before the
checks. There are 423,624 unique graphs up to isomorphism.

Two spellings of one graph are one record here: the canonical string lists the
pruned graph in the vertex order (among all topological orders) whose
(op labels, adjacency bits) is smallest. ``nb101_hash`` reproduces NAS-Bench-101's
isomorphism-invariant MD5 (``graph_util.hash_module``), the key its files use.

Canonical string: ``matrix=0110.0001.0001.0000;ops=input,conv3x3-bn-relu,maxpool3x3,output``
(rows of the adjacency matrix, then the op of each vertex).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from typing import ClassVar

import numpy as np

from wsbench.errors import InvalidArchError
from wsbench.spaces.base import SearchSpace

INPUT, OUTPUT = "input", "output"
OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
MAX_VERTICES, MAX_EDGES = 7, 9

Graph = tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]  # (matrix rows, inner op indices)


def prune(matrix: np.ndarray) -> list[int] | None:
    """Vertices on some input->output path (official ModelSpec._prune); None if disconnected."""
    n = matrix.shape[0]
    fwd, stack = {0}, [0]
    while stack:
        v = stack.pop()
        for w in range(v + 1, n):
            if matrix[v, w] and w not in fwd:
                fwd.add(w)
                stack.append(w)
    bwd, stack = {n - 1}, [n - 1]
    while stack:
        v = stack.pop()
        for w in range(v):
            if matrix[w, v] and w not in bwd:
                bwd.add(w)
                stack.append(w)
    keep = sorted(fwd & bwd)
    if len(keep) < 2 or keep[0] != 0 or keep[-1] != n - 1:
        return None
    return keep


def hash_module(matrix: np.ndarray, labeling: list[int]) -> str:
    """NAS-Bench-101's isomorphism-invariant graph hash (same MD5 strings, same rounds)."""
    n = matrix.shape[0]
    in_edges = np.sum(matrix, axis=0).tolist()
    out_edges = np.sum(matrix, axis=1).tolist()
    hashes = [hashlib.md5(str(h).encode("utf-8")).hexdigest() for h in zip(out_edges, in_edges, labeling)]
    for _ in range(n):
        hashes = [
            hashlib.md5(
                (
                    "".join(sorted(hashes[w] for w in range(n) if matrix[w, v]))
                    + "|"
                    + "".join(sorted(hashes[w] for w in range(n) if matrix[v, w]))
                    + "|"
                    + hashes[v]
                ).encode("utf-8")
            ).hexdigest()
            for v in range(n)
        ]
    return hashlib.md5(str(sorted(hashes)).encode("utf-8")).hexdigest()


@functools.cache
def _orders(n: int) -> np.ndarray:
    """Every vertex order that keeps input first and output last, shape (perms, n)."""
    perms = list(itertools.permutations(range(1, n - 1)))
    inner = np.array(perms, dtype=np.intp).reshape(len(perms), n - 2)
    return np.hstack([np.zeros((len(inner), 1), np.intp), inner, np.full((len(inner), 1), n - 1, np.intp)])


def _encodings(matrix: np.ndarray, labels: tuple[int, ...]) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    """All (labels, upper-triangle bits) of the graph over its topological vertex orders."""
    n = matrix.shape[0]
    orders = _orders(n)
    mats = matrix[orders[:, :, None], orders[:, None, :]]  # (perms, n, n)
    lower = np.tril(np.ones((n, n), dtype=bool))
    topo = ~np.any(mats & lower, axis=(1, 2))
    iu = np.triu_indices(n, 1)
    lab = np.asarray((-1, *labels, -2))
    out = set()
    for order, m in zip(orders[topo], mats[topo]):
        out.add((tuple(int(x) for x in lab[order[1:-1]]), tuple(int(b) for b in m[iu])))
    return out


def nasbench_order(parsed: Graph) -> Graph:
    """The same graph in the vertex order NAS-Bench-101's own records use.

    NAS-Bench-101's ``generate_graphs.py`` keeps, per isomorphism class, the
    first graph it enumerates: fewest vertices, then the smallest edge bitmask
    (edge x->y is bit ``x + y(y-1)/2``), then the smallest op labelling. The
    order matters for sizes: a vertex's channel count depends on its position
    (``compute_vertex_channels`` gives the remainder to the first vertices).
    Checked against NB101's raw records in tests/test_nb101_torch.py.
    """
    rows, labels = parsed
    m = np.array(rows, dtype=np.int64)
    n = m.shape[0]
    orders = _orders(n)
    mats = m[orders[:, :, None], orders[:, None, :]]
    topo = ~np.any(mats & np.tril(np.ones((n, n), dtype=np.int64)), axis=(1, 2))
    weight = np.zeros((n, n), dtype=np.int64)
    for y in range(n):
        for x in range(y):
            weight[x, y] = 1 << (x + y * (y - 1) // 2)
    lab = np.asarray((-1, *labels, -2))
    keyed = [((int((mat * weight).sum()), tuple(int(v) for v in lab[o[1:-1]])), mat)
             for o, mat in zip(orders[topo], mats[topo])]
    (_, labels_out), mat = min(keyed, key=lambda km: km[0])  # automorphic orders tie with the same graph
    return tuple(tuple(int(v) for v in r) for r in mat), labels_out


def _from_encoding(n: int, enc: tuple[tuple[int, ...], tuple[int, ...]]) -> Graph:
    m = np.zeros((n, n), dtype=np.int8)
    m[np.triu_indices(n, 1)] = enc[1]
    return tuple(tuple(int(x) for x in row) for row in m), enc[0]


@functools.cache
def _full_dag_masks(n: int) -> np.ndarray:
    """Upper-triangle bit rows of every n-vertex DAG with no dangling vertex and <= 9 edges."""
    iu = np.triu_indices(n, 1)
    k = len(iu[0])
    codes = np.arange(2**k, dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(k)) & 1).astype(np.int8)
    bits = bits[bits.sum(1) <= MAX_EDGES]
    mats = np.zeros((len(bits), n, n), dtype=np.int8)
    mats[:, iu[0], iu[1]] = bits
    ok = np.all(mats[:, : n - 1, :].sum(2) > 0, axis=1) & np.all(mats[:, :, 1:].sum(1) > 0, axis=1)
    return bits[ok]


class NB101(SearchSpace):
    name: ClassVar[str] = "nb101"
    ops: ClassVar[tuple[str, ...]] = OPS
    #: op of each inner vertex in canonical order (-1 where the graph has fewer vertices)
    decisions: ClassVar[tuple[str, ...]] = tuple(f"vertex{i}" for i in range(1, MAX_VERTICES - 1))
    size: ClassVar[int] = 423_624
    reference: ClassVar[str] = "NAS-Bench-101 (Ying et al., ICML 2019), nasbench/lib/model_spec.py, graph_util.py"

    def parse(self, arch: object) -> Graph:
        matrix, ops = self._read(arch)
        m = np.asarray(matrix)
        if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] < 2:
            raise InvalidArchError(f"nb101: matrix must be square with >= 2 vertices, got shape {m.shape}")
        if not np.isin(m, (0, 1)).all():
            raise InvalidArchError("nb101: matrix entries must be 0 or 1")
        m = m.astype(np.int8)
        if len(ops) != m.shape[0]:
            raise InvalidArchError(f"nb101: {len(ops)} ops for a {m.shape[0]}x{m.shape[0]} matrix; need one op per vertex")
        if np.any(np.tril(m)):
            raise InvalidArchError("nb101: matrix must be strictly upper triangular (vertices in topological order)")
        if ops[0] != INPUT or ops[-1] != OUTPUT:
            raise InvalidArchError(f"nb101: first op must be 'input' and last 'output', got {ops[0]!r}, {ops[-1]!r}")
        bad = [o for o in ops[1:-1] if o not in OPS]
        if bad:
            raise InvalidArchError(f"nb101: unknown op(s) {bad}; expected one of {list(OPS)}")
        keep = prune(m)
        if keep is None:
            raise InvalidArchError("nb101: the output is not reachable from the input")
        m = m[np.ix_(keep, keep)]
        labels = tuple(OPS.index(ops[v]) for v in keep[1:-1])
        if m.shape[0] > MAX_VERTICES:
            raise InvalidArchError(f"nb101: {m.shape[0]} vertices after pruning; at most {MAX_VERTICES} allowed")
        if int(m.sum()) > MAX_EDGES:
            raise InvalidArchError(f"nb101: {int(m.sum())} edges after pruning; at most {MAX_EDGES} allowed")
        return _from_encoding(m.shape[0], min(_encodings(m, labels)))

    @staticmethod
    def _read(arch: object) -> tuple[object, list[str]]:
        if isinstance(arch, str):
            text = arch.strip()
            if text.startswith("{"):
                try:
                    arch = json.loads(text)
                except json.JSONDecodeError as e:
                    raise InvalidArchError(f"nb101: invalid JSON spec: {e}") from None
            else:
                try:
                    mpart, opart = text.split(";")
                    assert mpart.startswith("matrix=") and opart.startswith("ops=")
                    rows = [[int(c) for c in r] for r in mpart[len("matrix="):].split(".")]
                    return rows, opart[len("ops="):].split(",")
                except (ValueError, AssertionError):
                    raise InvalidArchError(
                        f"nb101: expected 'matrix=0110.0001.0001.0000;ops=input,…,output' or JSON "
                        f'{{"matrix": …, "ops": …}}, got {arch!r}'
                    ) from None
        if isinstance(arch, dict):
            if set(arch) - {"matrix", "ops"} or "matrix" not in arch or "ops" not in arch:
                raise InvalidArchError(f"nb101: a spec needs exactly the keys 'matrix' and 'ops', got {sorted(arch)}")
            return arch["matrix"], list(arch["ops"])
        if isinstance(arch, (tuple, list)) and len(arch) == 2:
            return arch[0], list(arch[1])
        raise InvalidArchError(f"nb101: cannot read an architecture from {type(arch).__name__}")

    def format(self, parsed: Graph) -> str:
        rows, labels = parsed
        ops = [INPUT, *(OPS[k] for k in labels), OUTPUT]
        return "matrix=" + ".".join("".join(map(str, r)) for r in rows) + ";ops=" + ",".join(ops)

    def spec(self, arch: object) -> dict[str, list]:
        """Pruned canonical ``{"matrix", "ops"}`` as NAS-Bench-101's ModelSpec takes it."""
        rows, labels = self.parse(arch)
        return {"matrix": [list(r) for r in rows], "ops": [INPUT, *(OPS[k] for k in labels), OUTPUT]}

    function_id_rule: ClassVar[str] = (
        "the canonical string, which is already one per graph up to isomorphism after NAS-Bench-101's pruning "
        "(the partition of its module hash)")

    def hash(self, arch: object) -> str:
        """NAS-Bench-101's module hash of ``arch`` (keys of nasbench_*.tfrecord records)."""
        rows, labels = self.parse(arch)
        return hash_module(np.array(rows, dtype=np.int8), [-1, *labels, -2])

    def choices_of(self, parsed: Graph) -> tuple[int, ...]:
        labels = parsed[1]
        return tuple(labels) + (-1,) * (len(self.decisions) - len(labels))

    def _sample_parsed(self, rng: np.random.Generator) -> Graph:
        return sample_graph(rng, MAX_VERTICES)


def sample_graph(rng: np.random.Generator, max_vertices: int = MAX_VERTICES) -> Graph:
    """A graph drawn uniformly from the unique graphs with <= ``max_vertices`` vertices.

    Draw a labelled DAG (full DAG, <= 9 edges) uniformly over all labelled
    spellings, then accept it with probability 1 / (number of spellings of its
    isomorphism class): every class is then equally likely.
    """
    sizes = np.array([len(_full_dag_masks(n)) * 3 ** (n - 2) for n in range(2, max_vertices + 1)], dtype=float)
    while True:
        n = 2 + int(rng.choice(len(sizes), p=sizes / sizes.sum()))
        masks = _full_dag_masks(n)
        m = np.zeros((n, n), dtype=np.int8)
        m[np.triu_indices(n, 1)] = masks[rng.integers(len(masks))]
        labels = tuple(int(x) for x in rng.integers(0, 3, size=n - 2))
        encs = _encodings(m, labels)
        if rng.random() < 1.0 / len(encs):
            return _from_encoding(n, min(encs))


def count_unique_graphs(max_vertices: int = MAX_VERTICES) -> tuple[int, int]:
    """(unique graphs by NAS-Bench-101 hash, labelled DAGs before de-duplication), as generate_graphs.py counts."""
    seen: set[str] = set()
    total = 0
    for n in range(2, max_vertices + 1):
        iu = np.triu_indices(n, 1)
        for bits in _full_dag_masks(n):
            m = np.zeros((n, n), dtype=np.int8)
            m[iu] = bits
            for labels in itertools.product(range(3), repeat=n - 2):
                total += 1
                seen.add(hash_module(m, [-1, *labels, -2]))
    return len(seen), total
