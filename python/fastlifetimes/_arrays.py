"""Broadcasting the inputs of a prediction and giving back the type lifetimes returns.

lifetimes computes with numpy and pandas operators, so its results follow its inputs:
a pandas Series in gives a Series out (same index), scalars give a numpy float64, anything
else an ndarray of the broadcast shape. The C++ core wants flat contiguous float64 arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._columnar import as_array
from ._validation import as_float_array, offending_rows


class Inputs:
    """Flat float64 views of broadcast inputs and the recipe to shape the output."""

    def __init__(self, named_values, check_finite: bool = True):
        self.series = None
        self.all_scalar = True
        names = []
        arrays = []
        shapes = []
        series_names = set()
        flat: Any  # a pandas object or an ndarray, whichever came in
        for name, value in named_values:
            if value is None:
                raise ValueError(f"{name}: a value is required, got None")
            value = as_array(value)  # polars / pyarrow: numpy semantics, as for arrays
            if isinstance(value, pd.Series):
                if self.series is None:
                    self.series = value
                series_names.add(value.name)
            if isinstance(value, (pd.Series, pd.Index, pd.DataFrame)):
                shape, flat = value.shape, value
            else:
                # numpy semantics, as lifetimes computes: any shape, broadcast element-wise
                try:
                    value = np.asarray(value)
                except (TypeError, ValueError) as error:
                    raise ValueError(f"{name}: expected numbers ({error})") from None
                shape, flat = value.shape, value.reshape(-1)
            if shape:
                self.all_scalar = False
            names.append(name)
            shapes.append(shape)
            arrays.append(as_float_array(name, flat, check_finite=check_finite))
        self.name = series_names.pop() if len(series_names) == 1 else None
        try:
            self.shape = np.broadcast_shapes(*shapes)
        except ValueError:
            lengths = ", ".join(f"{n}: {shape}" for n, shape in zip(names, shapes))
            raise ValueError(f"mismatched lengths ({lengths})") from None
        self.index = self.series.index if self.series is not None else None
        size = int(np.prod(self.shape)) if self.shape else 1
        self.flat = {}
        self.given = dict(zip(names, arrays))  # before broadcasting, for error messages
        for name, shape, arr in zip(names, shapes, arrays):
            flat = np.broadcast_to(arr.reshape(shape), self.shape).ravel()
            self.flat[name] = np.ascontiguousarray(flat, dtype=np.float64)
        self.size = size

    def __getitem__(self, name):
        return self.flat[name]

    def rows_where(self, mask):
        return offending_rows(mask, self.index)

    def wrap(self, flat_result, always_array: bool = False):
        result = np.asarray(flat_result, dtype=np.float64).reshape(self.shape)
        if always_array:
            return np.atleast_1d(result)
        if self.series is not None and result.ndim == 1 and len(result) == len(self.series):
            return pd.Series(result, index=self.series.index, name=self.name, copy=False)  # fresh array: no copy
        if self.all_scalar:
            return np.float64(result.reshape(()))
        return result
