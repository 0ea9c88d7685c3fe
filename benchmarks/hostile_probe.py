"""Count how wsbench answers the hostile inputs of issue 28, items 5-9 (stores validate rejects, damaged chunks,
data-derived labels in the report, bad catalogs and data folders, junk API arguments, symlinks in published
stores). Prints one line per probe: runs, and how many ended as they should (exit 1 naming the problem / an
OptionError) vs wrongly (exit 0 on a rejected store, exit 3 = "a wsbench bug", a traceback, a hang).

Before/after: run it against another checkout by putting that checkout first on the path, e.g.

    git -C /work/main archive main | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before python benchmarks/hostile_probe.py      # main's code
    python benchmarks/hostile_probe.py                             # this checkout

Every store, catalog and server is made in a temp folder by the project's own writer (tests/factory.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def wsbench(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120, user: int | None = None,
            module: str = "wsbench") -> tuple[int, str]:
    """(exit code, stderr) of ``python -m wsbench ARGS``; 124 when it ran past ``timeout``."""
    full = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    full.pop("WSBENCH_DEBUG", None)

    def drop() -> None:
        if user is not None:
            os.setgid(user)
            os.setuid(user)

    try:
        r = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=full, capture_output=True, text=True,
                           timeout=timeout, check=False, preexec_fn=drop if user is not None else None)
    except subprocess.TimeoutExpired:
        return 124, "timed out"
    return r.returncode, r.stderr


def outcome(code: int, err: str, words: tuple[str, ...] = ()) -> str:
    """ok: exit 1 naming the problem; else what went wrong."""
    if code == 1:
        text = " ".join(err.split())
        return "ok" if all(w in text for w in words) else "exit 1, problem not named"
    return {0: "exit 0 (answered)", 3: "exit 3 (wsbench bug)", 124: "hang (timed out)"}.get(code, f"exit {code}")


def report(name: str, counts: Counter, out: list) -> None:
    total = sum(counts.values())
    print(f"{name}: {counts.get('ok', 0)}/{total} as they should" +
          "".join(f"; {n} {k}" for k, n in counts.most_common() if k != "ok"), flush=True)
    out.append({"probe": name, "runs": total, **counts})


# -- item 5: stores validate rejects, every statistic command ------------------------------------------------
def probe_rejected_stores(tmp: Path, out: list) -> None:
    from hostile_cases import CASES, STAT_COMMANDS, base_store, make_case

    base = base_store(tmp)
    counts: Counter = Counter()
    for case, (_, words) in CASES.items():
        store = make_case(base, tmp, case)
        for cmd in STAT_COMMANDS:
            code, err = wsbench(*cmd, "--space", store.name, cwd=tmp, env={"WSBENCH_DATA": str(tmp / "data")})
            counts[outcome(code, err, (words,))] += 1
    report("item 5: rejected stores x statistic commands", counts, out)


# -- item 6: symlinks in a store being published -----------------------------------------------------------
def probe_publish(tmp: Path, out: list) -> None:
    from test_hostile_publish import CASES, _symlinked
    from test_publish import write_meta

    counts: Counter = Counter()
    for how in CASES:
        d = tmp / how.replace(" ", "_")
        d.mkdir()
        store = _symlinked(d, how)
        meta = write_meta(d)
        code, err = wsbench("publish", str(store), "--meta", str(meta), "--out-dir", str(d / "files"), "--catalog",
                            str(d / "cat"), cwd=d, module="builders")
        zips = list((d / "files").glob("*.zip")) if (d / "files").exists() else []
        if code == 0 or zips:
            counts["published (zip written)"] += 1
        else:
            counts[outcome(code, err, ("symbolic link",))] += 1
    report("item 6: publish of a store with a symlink", counts, out)


# -- item 7: validate on damaged chunks; report on data-derived labels --------------------------------------
def probe_validate_and_report(tmp: Path, out: list) -> None:
    import gzip
    import shutil
    import zipfile

    from factory import make_store

    base = make_store(tmp / "b.zarr", n=30)
    stores = {}
    for how in ("not gzip", "wrong length", "symlink loop (file)", "symlink loop (folder)", "symlink cycle"):
        s = Path(shutil.copytree(base, tmp / (how.replace(" ", "_").replace("(", "").replace(")", "") + ".zarr")))
        chunk = s / "supernet_score" / "c" / "0" / "2" / "0"
        if how == "not gzip":
            chunk.write_bytes(b"garbage")
        elif how == "wrong length":
            chunk.write_bytes(gzip.compress(bytes(12)))
        elif how == "symlink loop (file)":
            chunk.unlink()
            chunk.symlink_to("0")
        elif how == "symlink loop (folder)":
            shutil.rmtree(s / "gt_score" / "c")
            (s / "gt_score" / "c").symlink_to(".")
        else:
            chunk.unlink()
            (chunk.parent / "x").symlink_to("y")
            (chunk.parent / "y").symlink_to("x")
            chunk.symlink_to("x")
        stores[how] = s
    z = tmp / "crc.zip"
    shutil.make_archive(str(z.with_suffix("")), "zip", base)
    data = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("supernet_score/c/0/2/0")
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2] ^= 0xFF
    z.write_bytes(bytes(data))
    stores["bad CRC"] = z
    counts: Counter = Counter()
    for s in stores.values():
        counts[outcome(*wsbench("validate", s.name, cwd=tmp))] += 1
    report("item 7: validate on damaged chunks and symlink loops", counts, out)

    import numpy as np
    import zarr
    from zarr.codecs import GzipCodec

    counts = Counter()
    for name in ("proxy_$^{$", "proxy_" + "L" * 200, "proxy_$\\frac{a}{", "proxy_a_b^c"):
        s = make_store(tmp / f"px{len(counts)}{sum(counts.values())}.zarr", n=30)
        g = zarr.open_group(str(s), mode="r+", use_consolidated=False)
        a = g.create_array(name, shape=(30,), dtype="float64", dimension_names=["arch"], chunks=(30,),
                           fill_value=np.nan, compressors=GzipCodec(level=5))
        a[:] = np.random.default_rng(0).normal(size=30)
        zarr.consolidate_metadata(str(s))
        t = time.perf_counter()
        code, err = wsbench("report", s.name, "--out", f"{s.stem}.md", "--format", "md", cwd=tmp, timeout=180)
        counts["ok" if code == 0 else outcome(code, err)] += 1
        counts_time.append(time.perf_counter() - t)
    report("item 7: report on a valid store with a proxy named $^{$ / 200 chars / mathtext", counts, out)
    # a 1 MB decision name: over the attribute cap (refused at open, exit 1) and never 180 s
    s = make_store(tmp / "longdec.zarr", n=30)
    g = zarr.open_group(str(s), mode="r+", use_consolidated=False)
    g.attrs["decisions"] = ["x" * 1_000_000] + list(g.attrs["decisions"])[1:]
    zarr.consolidate_metadata(str(s))
    t = time.perf_counter()
    code, err = wsbench("report", s.name, "--out", "longdec.md", "--format", "md", cwd=tmp, timeout=180)
    report(f"item 7: report with a 1 MB decision name ({time.perf_counter() - t:.1f} s)",
           Counter({outcome(code, err, ("attribute 'decisions'",)): 1}), out)


counts_time: list[float] = []


# -- item 8: catalogs, redirects, data folders ---------------------------------------------------------------
def probe_catalog(tmp: Path, out: list) -> None:
    import shutil

    from hostile_cases import BAD_FIELDS
    from http_server import Server
    from test_catalog import write_entry

    counts: Counter = Counter()
    for i, (old, new, says) in enumerate(BAD_FIELDS):
        cat = tmp / f"cat{i}"
        write_entry(cat, "good", "https://example.org/good.zip", b"12345")
        write_entry(cat, "bad", "https://example.org/bad.zip", b"12345")
        (cat / "bad.toml").write_text((cat / "bad.toml").read_text().replace(old, new))
        env = {"WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(tmp / f"data{i}")}
        r = subprocess.run([sys.executable, "-m", "wsbench", "list", "--json"], cwd=tmp, capture_output=True,
                           text=True, env={**os.environ, **env}, timeout=60, check=False)
        try:
            listed = [row["name"] for row in json.loads(r.stdout)] if r.returncode == 0 else []
        except ValueError:
            listed = []
        counts["ok" if listed == ["good"] and "bad.toml" in r.stderr else
               f"list: exit {r.returncode}, listed {listed}"] += 1
        counts[outcome(*wsbench("download", "bad", cwd=tmp, env=env, timeout=60), ("bad.toml",))] += 1
    report("item 8: bad catalog fields (list keeps the good entry; download names the bad one)", counts, out)

    from wsbench.fetch import bundled_dir

    data = next(bundled_dir().glob("nb201-cifar10-[0-9]*.zip")).read_bytes()  # whichever version ships
    counts = Counter()
    with Server(data, files={"ds.zip": data}) as server:
        for route, words in (("loop.zip", ("redirects",)), ("to-file.zip", ("file:",)),
                             ("to-bad-port.zip", ("99999",))):
            cat = tmp / f"cat-{route}"
            write_entry(cat, "ds", f"{server.url}/{route}", data)
            env = {"WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(tmp / f"d-{route}")}
            counts[outcome(*wsbench("download", "ds", cwd=tmp, env=env, timeout=120), words)] += 1
        cat = tmp / "cat-ds"
        write_entry(cat, "ds", f"{server.url}/ds.zip", data)
        (tmp / "a-file").write_text("")
        env = {"WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(tmp / "a-file")}
        counts[outcome(*wsbench("download", "ds", cwd=tmp, env=env), ("WSBENCH_DATA",))] += 1
        ro = tmp / "ro"
        ro.mkdir(mode=0o555)
        wrap = [shutil.which("setpriv"), "--bounding-set=-dac_override,-fowner"] if os.geteuid() == 0 else []
        r = subprocess.run([*wrap, sys.executable, "-m", "wsbench", "download", "ds"], cwd=tmp, capture_output=True,
                           text=True, env={**os.environ, "WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(ro)},
                           timeout=120, check=False)
        counts[outcome(r.returncode, r.stderr, ("WSBENCH_DATA",))] += 1
        ro.chmod(0o755)
        small = tmp / "small"
        small.mkdir()
        script = (f"mount -t tmpfs -o size=64k tmpfs {small} && exec {sys.executable} -m wsbench download ds; "
                  "exit 97")
        r = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=tmp, capture_output=True, text=True,
                           env={**os.environ, "WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(small)},
                           timeout=120, check=False)
        counts["no tmpfs here" if r.returncode == 97 else outcome(r.returncode, r.stderr, ("no space left",))] += 1
    report("item 8: redirect loop/file:/bad port, data folder a file / read-only / full (real tmpfs)", counts, out)


# -- item 9: junk API arguments; requests beyond the memory budget -----------------------------------------
def probe_api(tmp: Path, out: list) -> None:
    import inspect
    import math
    import warnings

    import numpy as np
    from factory import make_store

    import wsbench
    from wsbench.benchmark import Benchmark
    from wsbench.errors import WsbenchError

    warnings.simplefilter("ignore")
    store = make_store(tmp / "s.zarr", n=30, gt_seeds=(0, 1), losses=True)
    junk = [math.inf, -math.inf, math.nan, 32.5, True, np.array([1, 2]), np.array(["a"]), None, "", [], {},
            object(), -1, 10**30, b"x", 1j, [math.nan], {"a": 1}, np.float64("nan"), "1,1", "nan", "-1"]
    counts: Counter = Counter()
    os.environ["WSBENCH_DATA"] = str(tmp / "data")
    for stat in Benchmark.STATS:
        params = [p for p in inspect.signature(getattr(Benchmark, stat)).parameters if p != "self"]
        for p in params:
            for j in junk:
                kw = {"a": "epoch=1", "b": "epoch=4"} if stat == "paired" else {}
                if p != "boot" and "boot" in params:
                    kw["boot"] = 20
                kw[p] = j
                try:
                    wsbench.query(str(store), stat, **kw)
                    counts["ok"] += 1  # ran: the value was a valid one
                except WsbenchError:
                    counts["ok"] += 1
                except Exception as e:  # noqa: BLE001
                    counts[f"{type(e).__name__} traceback"] += 1
    for j in (math.inf, 32.5):  # silently read as another value (32.5 -> 32): asked for epoch 4.5 of (1, 2, 4)
        try:
            wsbench.query(str(store), "topk", epoch=4.5 if j == 32.5 else j)
            counts["epoch=4.5 silently read as 4"] += 1
        except WsbenchError:
            counts["ok"] += 1
        except Exception as e:  # noqa: BLE001
            counts[f"{type(e).__name__} traceback"] += 1
    report("item 9: junk in every public parameter of wsbench.query", counts, out)

    counts = Counter()
    for args in (["topk", "--ci", "0.9", "--boot", "10000000"], ["correlation", "--ci", "0.9", "--boot", "10000000"],
                 ["topk", "--trials", "1000000000", "--samples", "500"],
                 ["prune", "--mode", "random", "--trials", "1000000000"],
                 ["paired", "--a", "epoch=4", "--b", "epoch=16", "--interval", "bootstrap", "--boot", "10000000"],
                 ["gt-noise", "--pairings", "1000000000"]):
        code, err = _capped(args + ["--space", "nb201-cifar10"], tmp)
        counts[outcome(code, err, ("memory budget",))] += 1
    report("item 9: requests beyond the memory budget under a 1 GiB RLIMIT_AS (60 s each)", counts, out)


def _capped(args: list[str], cwd: Path) -> tuple[int, str]:
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    try:
        r = subprocess.run([sys.executable, "-m", "wsbench", *args], cwd=cwd, capture_output=True, text=True,
                           timeout=60, preexec_fn=cap, check=False,
                           env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    except subprocess.TimeoutExpired:
        return 124, ""
    return r.returncode, r.stderr


PROBES = {"5": probe_rejected_stores, "6": probe_publish, "7": probe_validate_and_report, "8": probe_catalog,
          "9": probe_api}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(PROBES), help="comma list of items to probe (default: all)")
    ap.add_argument("--json", help="also write the counts to this file")
    args = ap.parse_args()
    import wsbench

    print(f"wsbench from {Path(wsbench.__file__).parent}")
    out: list = []
    with tempfile.TemporaryDirectory() as d:
        for item in args.only.split(","):
            t = time.perf_counter()
            (Path(d) / f"item{item}").mkdir()
            PROBES[item](Path(d) / f"item{item}", out)
            print(f"  ({time.perf_counter() - t:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
