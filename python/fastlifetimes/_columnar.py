"""polars and pyarrow inputs, read as the numpy arrays and pandas frames the rest of the
package takes.

Neither library is a dependency: an object is recognised by the module its type comes
from, so nothing is imported unless the caller already has it. Numeric and timestamp
columns without nulls in one chunk become numpy views of the Arrow buffers (no copy);
anything else goes through the library's own conversion to pandas, which is what
``read_parquet`` would have given.
"""

from __future__ import annotations

import pandas as pd


def _library(value) -> str | None:
    module = type(value).__module__ or ""
    for name in ("polars", "pyarrow"):
        if module == name or module.startswith(name + "."):
            return name
    return None


def is_columnar(value) -> bool:
    return _library(value) is not None


def _is_table(value) -> bool:
    # pyarrow Table / RecordBatch, polars DataFrame / LazyFrame
    return hasattr(value, "column_names") or type(value).__name__ in ("DataFrame", "LazyFrame")


def _arrow(value):
    """A pyarrow Array, ChunkedArray or Table for a polars or pyarrow object."""
    if _library(value) == "polars":
        return value.to_arrow()
    return value


def _column_to_pandas(column, name=None) -> pd.Series:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    kind = column.type
    if pa.types.is_date(kind):
        # days as seconds: numpy datetimes, not the Python dates to_pandas would give
        column = pc.cast(column, pa.timestamp("s"))
        kind = column.type
    plain = (pa.types.is_integer(kind) or pa.types.is_floating(kind)
             or (pa.types.is_timestamp(kind) and kind.tz is None))
    if plain and column.null_count == 0:
        return pd.Series(column.to_numpy(zero_copy_only=True), name=name, copy=False)
    return column.to_pandas().rename(name)


def as_pandas_frame(value, columns, what="transactions"):
    """``value`` unchanged unless it is a polars or pyarrow frame; then the named columns
    as a pandas DataFrame (with a RangeIndex) of views where the types allow. Only those
    columns are converted: a wide log's other columns cost nothing."""
    library = _library(value)
    if library is None or not _is_table(value):
        return value
    if type(value).__name__ == "LazyFrame":
        raise ValueError(f"{what}: a polars LazyFrame is a query, not data: call .collect() first")
    available = list(value.columns if library == "polars" else value.column_names)
    missing = [c for c in columns if c not in available]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; available columns: {available}")
    table = value.select(list(columns))
    if library == "polars":
        table = table.to_arrow()
    return pd.DataFrame({c: _column_to_pandas(table.column(c), c) for c in columns}, copy=False)


def as_array(value):
    """A polars Series or pyarrow (Chunked)Array as a numpy array (a view when it has one
    chunk of numbers without nulls); nulls become NaN, which the checks then name."""
    if _library(value) is None or _is_table(value):
        return value
    return _column_to_pandas(_arrow(value)).to_numpy()
