"""Load over HTTP: ``scidex serve`` on loopback under wrk, at fixed concurrency and duration.

Each endpoint is loaded right after (or before, alternating) a static file
served by the same server, so the pair sees the same machine. wrk reports
the latency distribution, requests per second and any errors; a non-2xx
answer or a socket error fails the run, as "no errors under load" is part
of the target.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from scidex.bench.runner import Figure, Stats
from scidex.bench.suites import BACH1_PAGE, BenchConfig, Dataset, MissingData
from scidex.config import Settings
from scidex.kg.urls import urls
from scidex.store import Store

HTTP_TARGET = ">=300 req/s, no errors"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's --latency report."""
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not (pct.get("50") and pct.get("99") and total and rate):
        raise RuntimeError(f"cannot read wrk's report:\n{output[-800:]}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests=int(total.group(1)),
        requests_per_s=float(rate.group(1)),
        p50_ms=_ms(pct["50"]),
        p99_ms=_ms(pct["99"]),
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
        # Read errors are counted by wrk when the server closes idle keep-alive
        # connections at the end; connect/write/timeouts are real failures.
        socket_errors=sum(int(sock.group(i)) for i in (1, 3, 4)) if sock else 0,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(store: Store, workers: int) -> Iterator[str]:
    """``scidex serve`` in a child process on a free loopback port; stopped afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "SCIDEX_DATABASE_URL"}
    argv = [sys.executable, "-m", "scidex", "--db", store.url, "serve", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--workers", str(workers)]
    # A file, not a pipe: nobody reads while it runs, and a full pipe would stall the server.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_healthy(proc, base, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log.seek(0)
            stderr = log.read().decode(errors="replace")
            raise RuntimeError(f"scidex serve exited ({proc.returncode}): {stderr[-800:]}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("scidex serve did not answer /health within 60 s")
        time.sleep(0.2)


def run_wrk(url: str, seconds: int, connections: int, threads: int) -> WrkResult:
    proc = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr[-500:]}")
    return parse_wrk(proc.stdout)


def _stats(r: WrkResult) -> Stats:
    # wrk reports percentiles, not samples: min/max are not known, so they repeat them.
    return Stats(r.requests, r.p50_ms, r.p99_ms, r.p50_ms, r.p99_ms)


def http_suite(
    store: Store, settings: Settings, data: Dataset, config: BenchConfig
) -> list[Figure]:
    """The BACH1 page, a search and a neighbourhood listing under wrk, each against a static
    file from the same server under the same load, for each worker count."""
    if shutil.which("wrk") is None:
        raise MissingData("the http suite needs wrk: `apt-get install -y wrk`")
    figures = []
    for workers in config.http_workers:
        figures += _load(store, data, config, workers)
    return figures


def _neighbourhood_endpoint(base: str, data: Dataset) -> tuple[str, str]:
    """The JSON neighbourhood API where the server has it, else the TSV edge listing."""
    api = urls.api_neighbours(str(data.largest_entity), {"limit": 50})
    try:
        with urllib.request.urlopen(base + api, timeout=30) as r:
            if r.status == 200:
                return f"neighbourhood {data.largest_entity} (API, 50)", api
    except OSError:
        pass
    tsv = urls.edges_tsv(str(data.largest_page), {"limit": 50})
    return f"neighbourhood {data.largest_entity} (edges.tsv, 50)", tsv


def _load(store: Store, data: Dataset, config: BenchConfig, workers: int) -> list[Figure]:
    seconds = config.http_seconds
    figures: list[Figure] = []
    with served(store, workers) as base:
        endpoints = [
            ("BACH1 page", urls.artifact(BACH1_PAGE)),
            ("search 'bach1' (API)", urls.path("/api/search", {"q": "bach1"})),
            _neighbourhood_endpoint(base, data),
        ]
        for label, path in endpoints:
            config.log(
                f"http: {path}, {config.http_connections} connections, {seconds} s, "
                f"{workers} worker(s)"
            )
            # The server's stylesheet is the floor: same server, same sockets, no query.
            pair = [(path, "measured"), ("/static/atlas.css", "baseline")]
            results: dict[str, WrkResult] = {}
            for p, role in pair if len(figures) % 2 == 0 else reversed(pair):
                results[role] = run_wrk(base + p, seconds, config.http_connections, 2)
            r, b = results["measured"], results["baseline"]
            if r.errors or b.errors:
                raise RuntimeError(
                    f"errors under load on {path}: {r.non_2xx} non-2xx, "
                    f"{r.socket_errors} socket errors (baseline {b.errors})"
                )
            fig = Figure(
                f"http, {workers} worker{'s' if workers > 1 else ''}",
                f"{label} over HTTP",
                _stats(r),
                "static atlas.css",
                _stats(b),
                target=HTTP_TARGET if "page" in label else None,
                extra={
                    "path": path,
                    "requests_per_s": round(r.requests_per_s, 1),
                    "baseline_requests_per_s": round(b.requests_per_s, 1),
                    "errors": r.errors,
                    "connections": config.http_connections,
                    "workers": workers,
                    "seconds": seconds,
                },
            )
            if fig.target:
                fig.met = r.requests_per_s >= 300 and r.errors == 0
            figures.append(fig)
    return figures
