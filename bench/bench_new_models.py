"""Issue 8's benchmarks in one run: the models and predictions beyond lifetimes, each
against a straightforward numpy/scipy implementation of the same maths (there is no
lifetimes counterpart to compare with).

    python bench/bench_new_models.py            # all areas, a few minutes on 2 cores
    python bench/bench_new_models.py sbg cnbdk  # some areas

Runs each area's script (bench_new_models_<area>.py, bench_new_predictions.py) in its own
process, prints its output as it comes, and ends with one table of every row,
`area | case | fastlifetimes | comparison | ratio`. Timings on a shared machine are noisy:
compare the ratios of one run.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
AREAS = {
    "sbg": "bench_new_models_sbg.py",            # sBG, GGompertz/NBD
    "cnbdk": "bench_new_models_cnbdk.py",        # NBD, BG/CNBD-k, MBG/CNBD-k
    "covariates": "bench_new_models_covariates.py",
    "predictions": "bench_new_predictions.py",   # DERT, future P(alive), intervals
}


def table_rows(output):
    """The `case | ours | theirs | ratio` rows of a script's output (not its header)."""
    rows = []
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != 4 or cells[0].lower() == "case" or not cells[0]:
            continue
        rows.append(cells)
    return rows


def main(argv):
    areas = argv or list(AREAS)
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        sys.exit(f"unknown areas {unknown}; choose from {list(AREAS)}")
    combined = []
    for area in areas:
        print(f"== {area}: {AREAS[area]}", flush=True)
        run = subprocess.run([sys.executable, str(HERE / AREAS[area])], capture_output=True, text=True,
                             check=False)
        print(run.stdout, end="")
        if run.returncode != 0:
            print(run.stderr, end="")
            combined.append([area, "(failed: see above)", "", "", ""])
            continue
        combined += [[area, *row] for row in table_rows(run.stdout)]
    print("\n| area | case | fastlifetimes | comparison | ratio |")
    print("|---|---|---|---|---|")
    for row in combined:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
