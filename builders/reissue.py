"""Re-issue a published store with corrected attributes: the arrays are untouched, only provenance changes.

A dataset's numbers cost hours to build; a wrong attribute (a machine path, a
licence that differs from the catalog's) must be fixable without a rebuild and
without hiding that it was fixed. The store is unpacked to a folder, the
attribute changes are applied (a JSON object merged one level deep; ``null``
removes a key), every change is listed in the ``reissues`` attribute, and the
store is validated and finalized again. Publish the folder with ``publish``.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from wsbench.errors import OptionError


def reissue(src: str | Path, out: str | Path, changes: dict[str, Any], *, version: str, why: str,
            add_function_ids: bool = False, gzip_strings: bool = False) -> dict[str, Any]:
    """Unpack ``src`` (zip or folder) into the new folder ``out``, apply ``changes``, re-finalize; returns the log.

    ``add_function_ids`` adds the ``function_id`` variable (computed from ``arch_string`` by the space) to a store
    published before builds wrote it; every existing array stays byte-identical. ``gzip_strings`` re-encodes the
    string arrays that another codec compresses (zstd, zarr's default, in stores written before ``wsbench.store``
    chose gzip for strings) with gzip, values unchanged, so reading them never imports numcodecs; every other
    array stays byte-identical.
    """
    from wsbench.store import StoreWriter

    src, out = Path(src), Path(out)
    if out.exists():
        raise OptionError(f"{out} exists; reissue writes a new store folder")
    if not isinstance(changes, dict) or (not changes and not add_function_ids and not gzip_strings):
        raise OptionError("changes must be a non-empty JSON object of attribute -> new value")
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    if src.is_dir():
        shutil.copytree(src, tmp)
    elif zipfile.is_zipfile(src):
        with zipfile.ZipFile(src) as z:
            z.extractall(tmp)
    else:
        raise OptionError(f"{src}: expected a store zip or folder")
    w = StoreWriter.resume(tmp)
    attrs = dict(w.group.attrs)
    log: list[dict[str, Any]] = []
    for key, value in changes.items():
        old = attrs.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            new = {**old, **value}
            new = {k: v for k, v in new.items() if v is not None}
        else:
            new = value
        if new != old:
            log.append({"attribute": key, "was": old, "now": new})
            if new is None:
                del w.group.attrs[key]
            else:
                w.update_attrs(**{key: new})
    added: list[str] = []
    if add_function_ids:
        if "function_id" in w.group:
            shutil.rmtree(tmp)
            raise OptionError(f"{src} already has a function_id variable")
        _add_function_ids(w)
        added.append("function_id")
        log.append({"attribute": "function_id_rule", "was": None, "now": w.group.attrs["function_id_rule"]})
    was = _gzip_strings(w) if gzip_strings else {}
    recoded = sorted(was)
    if recoded:
        log.append({"attribute": "codecs", "was": was, "now": dict.fromkeys(recoded, "vlen-utf8 + gzip")})
    if not log:
        shutil.rmtree(tmp)
        raise OptionError("the changes leave every attribute and array as it was; nothing to re-issue")
    history = list(attrs.get("reissues", []))
    history.append({"version": version, "date": _dt.date.today().isoformat(), "why": why,
                    "changed": [c["attribute"] for c in log],
                    "arrays": _arrays_note(added, recoded)})
    w.update_attrs(reissues=history)
    w.finalize()
    tmp.rename(out)
    return {"out": str(out), "changes": log}


def _arrays_note(added: list[str], recoded: list[str]) -> str:
    note = "unchanged" if not recoded else f"values unchanged; re-encoded with gzip: {', '.join(recoded)}"
    return f"{note}; added: {', '.join(added)}" if added else note


def _gzip_strings(w) -> dict[str, str]:
    """Re-write each string array whose compressor is not gzip with gzip (same values, chunks, dimension names,
    fill value and attributes); returns {name: its codecs before}."""
    import numpy as np
    from zarr.codecs import GzipCodec

    done = {}
    for name in sorted(w.group.array_keys()):
        a = w.group[name]
        codecs = a.metadata.to_dict()["codecs"]
        names = [c["name"] for c in codecs]
        if not names or names[0] != "vlen-utf8" or names[1:] == ["gzip"]:
            continue
        values, attrs = np.asarray(a[...], dtype=object), dict(a.attrs)
        dims, chunks, fill = a.metadata.dimension_names, a.chunks, a.metadata.fill_value
        del w.group[name]
        b = w.group.create_array(name, shape=values.shape, dtype=str, dimension_names=dims, chunks=chunks,
                                 fill_value=fill, compressors=GzipCodec(level=5), attributes=attrs)
        if values.size:
            b[...] = values
        done[name] = " + ".join(names)
    return done


def _add_function_ids(w) -> None:
    import numpy as np

    from wsbench.spaces import get_space

    space = get_space(w.group.attrs["space"])
    archs = w.arch_strings()
    chunk = w.group["arch_string"].chunks
    from zarr.codecs import GzipCodec

    a = w.group.create_array("function_id", shape=(len(archs),), dtype=str, dimension_names=["arch"], chunks=chunk,
                             compressors=GzipCodec(level=5))
    if archs:
        a[:] = np.asarray(space.function_ids(archs), dtype=object)
    w.update_attrs(function_id_rule=space.function_id_rule)


def load_changes(path: str | Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise OptionError(f"cannot read the changes file {path}: {e}") from None
