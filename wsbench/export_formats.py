"""The bytes of each export format (:mod:`wsbench.export`): CSV and JSON records with the standard library and
NumPy, Parquet with pyarrow (optional), NetCDF with xarray (its scipy writer: NetCDF 3, no extra dependency).

Numbers are written in their shortest exact form for their dtype (a float32 ``93.12`` as ``93.12``, not
``93.12000274658203``): read back and cast to the store's dtype, every value is the store's. NaN is an empty CSV
field, JSON ``null`` and a Parquet null, which pandas reads as NaN and R as ``NA``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError

if TYPE_CHECKING:
    import xarray as xr

    from wsbench.benchmark import Benchmark
    from wsbench.export import Column, Table

#: the global attribute of an exported NetCDF file that lists the attributes written as JSON strings
JSON_ATTRS = "wsbench_json_attributes"
PYARROW_MISSING = ("Parquet export needs pyarrow, which is not installed: pip install pyarrow (or export "
                   "--format csv or json, which need nothing more)")


def _text(data: np.ndarray, nan: str) -> np.ndarray:
    """Each value as text: numbers in their shortest exact form for their dtype (NumPy's float -> str cast is
    shortest round-trip), NaN as ``nan``; strings as they are."""
    if data.dtype.kind == "f":
        out = data.astype(str).astype(object)
        out[np.isnan(data)] = nan
        if np.isinf(data).any():  # the reader refuses +-inf in every score, size and proxy: a store bug
            raise OptionError("the store holds +-inf, which no export format writes the same way; "
                              "`wsbench validate` says where")
        return out
    if data.dtype.kind in "iub":
        return data.astype(np.int64).astype(str).astype(object)
    return np.asarray([str(x) for x in data], dtype=object)


def _csv_field(s: str) -> str:
    """RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled (DARTS genotypes have
    commas)."""
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\r\n') else s


def _cells(col: Column, render: Any) -> list[str]:
    """One column's rendered cells, row by row: each distinct stored value rendered once."""
    rendered = render(col)
    return rendered.tolist() if col.index is None else rendered[col.index].tolist()


def csv(t: Table) -> str:
    """The table as CSV (RFC 4180, ``\\n`` line ends, a header of the column names)."""
    def render(col: Column) -> np.ndarray:
        cells = _text(col.data, "")
        if col.data.dtype.kind not in "fiub":
            cells = np.asarray([_csv_field(s) for s in cells], dtype=object)
        return cells

    columns = [_cells(c, render) for c in t.columns]
    lines = [",".join(_csv_field(c.name) for c in t.columns)]
    lines += [",".join(row) for row in zip(*columns)]
    return "\n".join(lines) + "\n"


def json_records(t: Table) -> str:
    """The table as a JSON array of records, one object per row (``pandas.read_json(f)``,
    ``jsonlite::fromJSON(f)``), NaN as null."""
    def render(col: Column) -> np.ndarray:
        key = json.dumps(col.name) + ":"
        if col.data.dtype.kind in "fiub":
            return np.asarray([key + s for s in _text(col.data, "null")], dtype=object)
        return np.asarray([key + json.dumps(s) for s in _text(col.data, "")], dtype=object)

    columns = [_cells(c, render) for c in t.columns]
    return "[\n" + ",\n".join("{" + ",".join(row) + "}" for row in zip(*columns)) + "\n]\n"


def require_pyarrow() -> Any:
    """pyarrow, or the one line that says how to install it."""
    try:
        import pyarrow
    except ImportError:
        raise OptionError(PYARROW_MISSING) from None
    return pyarrow


def parquet(t: Table) -> bytes:
    """The table as Parquet: the store's dtypes, NaN as null, each column's long_name/units/direction as field
    metadata and the store's attributes (JSON) as the file's ``wsbench`` metadata."""
    require_pyarrow()
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from wsbench.schema import variable_attrs

    fields, arrays = [], []
    for col in t.columns:
        values = col.values
        if values.dtype.kind == "f":
            arr = pa.array(values, mask=np.isnan(values), type=pa.from_numpy_dtype(values.dtype))
        elif values.dtype.kind in "iub":
            arr = pa.array(values)
        else:
            arr = pa.array([str(v) for v in values], type=pa.string())
        meta = _column_attrs(col.name, t.attrs, variable_attrs)
        fields.append(pa.field(col.name, arr.type, metadata={k: str(v) for k, v in meta.items()} or None))
        arrays.append(arr)
    schema = pa.schema(fields, metadata={"wsbench": json.dumps({"dataset": t.dataset, "attrs": t.attrs})})
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), buf)
    return buf.getvalue()


def _column_attrs(name: str, attrs: dict[str, Any], variable_attrs: Any) -> dict[str, Any]:
    """long_name/units/direction of a table column: its variable's (``gt_score_per_seed_<g>``: gt_score_per_seed's;
    ``arch``: arch_string's)."""
    var = ("gt_score_per_seed" if name.startswith("gt_score_per_seed_") else "arch_string" if name == "arch"
           else name)
    return {k: v for k, v in variable_attrs(var, attrs).items() if k in ("long_name", "units", "direction")}


def flat_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """Attributes NetCDF can hold: strings, integers and floats as they are; everything else (dicts, lists,
    booleans, null) as a JSON string, and :data:`JSON_ATTRS` listing which, so ``json.loads`` gives each back."""
    out: dict[str, Any] = {}
    encoded = []
    for k, v in attrs.items():
        if isinstance(v, str) or (isinstance(v, int | float) and not isinstance(v, bool)):
            out[k] = v
        else:
            out[k] = json.dumps(v)
            encoded.append(k)
    out[JSON_ATTRS] = json.dumps(encoded)
    return out


def described(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with each variable's long_name/units/direction (and choice's flag_values/flag_meanings) filled in
    from the store's attributes where the variable does not carry them itself (stores written before they
    existed): what a plain xarray or NetCDF reader sees."""
    from wsbench.schema import variable_attrs

    ds = ds.copy()
    for name, var in ds.variables.items():
        var.attrs = {**variable_attrs(str(name), ds.attrs), **var.attrs}
    return ds


def netcdf(b: Benchmark) -> bytes:
    """The whole store as one NetCDF 3 file (xarray's scipy writer): same dims, variables and values; every
    variable described (:func:`described`), global attributes flattened (:func:`flat_attrs`)."""
    ds = described(b.ds.load())
    for var in ds.variables.values():
        var.encoding = {}  # zarr's chunks and codecs mean nothing to NetCDF
        if "flag_values" in var.attrs:  # CF: flag values have the variable's type
            var.attrs["flag_values"] = np.asarray(var.attrs["flag_values"], dtype=var.dtype)
    ds.attrs = flat_attrs(dict(ds.attrs))
    return bytes(ds.to_netcdf(path=None, engine="scipy"))
