"""examples/notebooks/quickstart.ipynb: CI executes it so it never rots, and the committed
copy must be the one its generator (make_quickstart.py) writes, with outputs."""

import importlib.util
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "examples" / "notebooks"


def generator():
    spec = importlib.util.spec_from_file_location("make_quickstart", NOTEBOOKS / "make_quickstart.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_notebook_has_the_generators_cells_and_their_outputs():
    committed = nbformat.read(NOTEBOOKS / "quickstart.ipynb", as_version=4)
    cells = generator().CELLS
    assert [(c.cell_type, c.source) for c in committed.cells] == list(cells)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.outputs for c in code), "every code cell of the committed notebook shows its output"
    assert not any(o.output_type == "error" for c in code for o in c.outputs)


def test_notebook_runs_and_draws_its_plots(tmp_path):
    make = generator()
    notebook = make.execute(make.build(), timeout=300)  # raises CellExecutionError on any error
    pngs = make.save_pngs(notebook, tmp_path)
    assert len(pngs) == 4 and all(p.stat().st_size > 10_000 for p in pngs)
    text = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "69,659 transactions, 23,570 customers" in text
