"""Ground truth: importers of public benchmarks (no torch) and alignment into stores.

Every importer returns a :class:`GroundTruth` keyed by canonical architecture
string; :func:`attach` writes it into a store. Pickled sources are read only
through the allow-listed unpickler in ``unpickle.py``.
"""

from builders.groundtruth.attach import attach
from builders.groundtruth.record import GroundTruth

SOURCES = ("nats-tss", "nb201-pth", "analognas", "nb101", "nni-nb201", "nni-nb101", "nds-darts", "naslib-zc", "nb101-records",
           "nas-bench-macro", "table")

__all__ = ["SOURCES", "GroundTruth", "attach", "load"]


def load(source: str, path: str, **options: str) -> GroundTruth:
    """Dispatch to one importer by name (the CLI uses this)."""
    from wsbench.errors import UnknownNameError

    if source == "nats-tss":
        from builders.groundtruth.nats import load_nats_tss

        return load_nats_tss(path, dataset=options["dataset"], split=options["split"], hp=options["hp"])
    if source == "nb201-pth":
        from builders.groundtruth.nb201_pth import load_nb201_pth

        return load_nb201_pth(path, dataset=options["dataset"], split=options["split"], hp=options["hp"])
    if source == "analognas":
        from builders.groundtruth.analognas import load_analognas

        return load_analognas(path)
    if source == "nb101":
        from builders.groundtruth.nb101 import load_nb101

        return load_nb101(path, epochs=int(options["epochs"]), split=options["split"])
    if source in ("nni-nb201", "nni-nb101"):
        from builders.groundtruth.nni import load_nni

        return load_nni(path, space=source[4:], epochs=int(options["epochs"]), split=options["split"],
                        dataset=options.get("dataset"))
    if source == "nds-darts":
        from builders.groundtruth.nds import load_nds

        def opt_int(key: str) -> int | None:
            v = options.get(key)
            return None if v in (None, "any") else int(v)

        return load_nds(path, which=options["which"], width=opt_int("width"), depth=opt_int("depth"))
    if source == "naslib-zc":
        from builders.groundtruth.naslib_zc import load_naslib_zc

        return load_naslib_zc(path, space=options["space"], dataset=options.get("dataset") or "cifar10")
    if source == "nb101-records":
        from builders.groundtruth.nb101_records import load_nb101_records

        return load_nb101_records(path, epochs=int(options["epochs"]), split=options["split"])
    if source == "nas-bench-macro":
        from builders.groundtruth.nas_bench_macro import load_nas_bench_macro

        return load_nas_bench_macro(path)
    if source == "table":
        from builders.groundtruth.table import load_table

        return load_table(path, space=options["space"], arch_col=options["arch_col"], mean_col=options.get("mean_col"),
                          std_col=options.get("std_col"), run_cols=options.get("run_cols"), metric=options["metric"],
                          unit=options.get("unit"))
    raise UnknownNameError("ground-truth source", source, SOURCES)
