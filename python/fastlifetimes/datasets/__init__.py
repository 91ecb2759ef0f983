"""Example data sets shipped with fastlifetimes (the ones ``lifetimes`` 0.11.3 ships).

Every loader returns a fresh :class:`pandas.DataFrame` read with
:func:`pandas.read_csv`; extra keyword arguments go straight to it.  The
files are found with :mod:`importlib.resources`, so no setuptools /
``pkg_resources`` is needed at run time.

Files (see README.md in this folder for their origin):

* ``cdnow_customers_summary.csv`` -- ``load_cdnow_summary``
* ``cdnow_customers_summary_with_transactions.csv`` --
  ``load_cdnow_summary_data_with_monetary_value``
* ``donations.csv`` -- ``load_donations``
* ``example_transactions.csv`` -- ``load_transaction_data``
* ``CDNOW_master.txt``, ``CDNOW_sample.txt`` -- raw CDNOW transaction logs,
  whitespace separated, only reachable through ``load_dataset``.
"""

from importlib.resources import as_file, files

import pandas as pd

__all__ = [
    "load_cdnow_summary",
    "load_transaction_data",
    "load_cdnow_summary_data_with_monetary_value",
    "load_donations",
]


def _translate_read_csv_kwargs(kwargs):
    """Keep old ``read_csv`` spellings working on new pandas.

    ``delim_whitespace=True`` (the way the lifetimes documentation reads the
    raw CDNOW files) was removed in pandas 3; ``sep=r"\\s+"`` is its
    documented equivalent and works on every pandas version.
    """
    if "delim_whitespace" in kwargs:
        kwargs = dict(kwargs)
        if kwargs.pop("delim_whitespace"):
            # Like pandas: any explicit sep, or a non-None delimiter, conflicts.
            if "sep" in kwargs or kwargs.get("delimiter") is not None:
                raise ValueError(
                    "Specified a delimiter with both sep and delim_whitespace=True; "
                    "you can only specify one."
                )
            kwargs.pop("delimiter", None)
            kwargs["sep"] = r"\s+"
    return kwargs


def load_dataset(filename, **kwargs):
    """Read one of the bundled data files into a DataFrame.

    Parameters
    ----------
    filename : str
        Name of a file in ``fastlifetimes.datasets``, e.g.
        ``"cdnow_customers_summary.csv"`` or ``"CDNOW_sample.txt"``.
    **kwargs
        Passed to :func:`pandas.read_csv` (``usecols``, ``header``,
        ``names``, ``sep``, ``index_col``, ...).

    Returns
    -------
    pandas.DataFrame
    """
    resource = files(__name__).joinpath(filename)
    with as_file(resource) as path:
        return pd.read_csv(path, **_translate_read_csv_kwargs(kwargs))


def load_donations(**kwargs):
    """Donations data (BG/BB): counts of donors per (frequency, recency, periods) cell.

    Columns ``frequency``, ``recency``, ``periods`` and ``weights`` (number
    of donors in the cell).
    """
    return load_dataset("donations.csv", **kwargs)


def load_cdnow_summary(**kwargs):
    """RFM summary of the CDNOW sample (2,357 customers, time in weeks).

    Columns ``ID``, ``frequency``, ``recency`` and ``T``.
    """
    return load_dataset("cdnow_customers_summary.csv", **kwargs)


def load_transaction_data(**kwargs):
    """Simulated transaction log with columns ``date`` (text) and ``id``.

    5,000 customers generated with lifetimes' data generator over
    2014-01-01 .. 2014-12-31; the ``date`` column is left as text, e.g.
    ``"2014-03-08 00:00:00"``.
    """
    return load_dataset("example_transactions.csv", **kwargs)


def load_cdnow_summary_data_with_monetary_value(**kwargs):
    """CDNOW RFM summary plus the mean repeat-purchase value.

    The file's columns are renamed to ``frequency``, ``recency``, ``T`` and
    ``monetary_value``, indexed by ``customer_id``.
    """
    frame = load_dataset("cdnow_customers_summary_with_transactions.csv", **kwargs)
    frame.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return frame.set_index("customer_id")
