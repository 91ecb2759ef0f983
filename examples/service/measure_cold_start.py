"""How long the service takes from nothing to its first answer.

    python examples/service/measure_cold_start.py [--runs 3]

Two measurements, each in fresh processes:
* in process: importing app.py (FastAPI, numpy, pandas, fastlifetimes), loading the two
  model files (the start-up hook) and answering one POST /predict, timed apart;
* end to end: from launching ``python -m uvicorn app:app`` to the answer of its first
  POST /predict (interpreter start and the polling of /health included).

``running_service`` is also what the tests use to start a real server.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROFILE = {"frequency": 2, "recency": 30.0, "T": 100.0, "monetary_value": 20.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_json(url: str, body, timeout: float = 10.0):
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


@contextmanager
def running_service(env=None, timeout: float = 60.0):
    """A uvicorn process serving app.py on a free port of 127.0.0.1, ready (GET /health
    answered) when the base URL is yielded; terminated on exit."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(HERE),
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with status {process.returncode}: "
                                   f"{process.stderr.read().strip()}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not answer on {url} within {timeout:.0f} s") from None
                time.sleep(0.02)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def in_process_phases() -> dict:
    """Run in a fresh interpreter: the three phases of a cold start, in seconds."""
    from fastapi.testclient import TestClient  # the test client is not part of the service

    start = time.perf_counter()
    import app  # this script's folder is first on sys.path

    imported = time.perf_counter()
    with TestClient(app.app) as client:  # entering runs the start-up hook: the models load
        loaded = time.perf_counter()
        response = client.post("/predict", json=PROFILE)
        answered = time.perf_counter()
    response.raise_for_status()
    return {"import": imported - start, "load models": loaded - imported,
            "first request": answered - loaded, "total": answered - start}


def end_to_end() -> float:
    start = time.perf_counter()
    with running_service() as url:
        post_json(url + "/predict", PROFILE)
        return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases:
        print(json.dumps(in_process_phases()))
        return

    runs = [json.loads(subprocess.run([sys.executable, __file__, "--phases"], check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(args.runs)]
    print(f"in process, {args.runs} fresh interpreters (median, min-max):")
    for phase in runs[0]:
        times = [run[phase] for run in runs]
        print(f"  {phase:14s} {statistics.median(times) * 1e3:7.0f} ms"
              f"  ({min(times) * 1e3:.0f}-{max(times) * 1e3:.0f})")
    times = [end_to_end() for _ in range(args.runs)]
    print(f"uvicorn launch to first /predict answer: {statistics.median(times):.2f} s"
          f"  ({min(times):.2f}-{max(times):.2f})")


if __name__ == "__main__":
    main()
