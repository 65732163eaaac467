"""A bounded load against ``umpolicy serve`` on loopback: latency and throughput per endpoint.

``python benchmarks/serve_load.py [-n 2000] [--concurrency 4] [--seconds 20]`` starts
``python -m umpolicy serve`` on 127.0.0.1 in a process of its own (as it runs in
production, its access log included, sent to ``/dev/null``), waits for ``/readyz``,
then for each endpoint:

- sends ``-n`` requests one after another on one keep-alive connection (after a
  warm-up of a tenth as many) and reports the median (p50), p99 and worst latency,
  from writing the request to reading the whole answer;
- sends ``-n`` more from ``--concurrency`` threads, each on its own connection, and
  reports the throughput (requests per second) and that run's p99.

Each endpoint stops early after ``--seconds`` seconds, so the load stays bounded. The
client is Python on the same machine: on two cores it takes one of them, so the
throughput is a floor. Every answer's status is checked against the one expected.

Figures, not a test. The targets (issue 13): p99 under 10 ms for a JSON decision with
its trail; CRD answers within 5 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live_server import dtr_parameters

from umpolicy.api import parse_request
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request
from umpolicy.integrations.service.web import fhir_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "proleukin"
JSON = "application/json"
P99_TARGET_MS = 10.0


class Load(NamedTuple):
    """One endpoint's load: a name, the method and path, the bodies to cycle through."""

    name: str
    method: str
    path: str
    bodies: tuple[bytes, ...]
    kind: str
    expect: int


class Result(NamedTuple):
    """One endpoint's figures (milliseconds, requests per second)."""

    name: str
    p50: float
    p99: float
    worst: float
    rate: float
    p99_concurrent: float
    sent: int
    cpu: float


def loads(services: Mapping[str, str]) -> list[Load]:
    """The endpoints under load, and what each is sent: every Proleukin example request.

    The FHIR bodies are the examples written as FHIR by the mapping's writers (a PAS
    bundle, a CRD ``order-sign`` call, DTR's parameters); ``services`` are the CDS
    service ids by hook, from discovery.
    """
    paths = sorted(EXAMPLES.glob("*.json"))
    requests = tuple(path.read_bytes() for path in paths)
    parsed = [parse_request(raw) for raw in requests]
    bundles = [bundle_from_request(request) for request in parsed]
    fhir = "application/fhir+json"

    def written(items: Sequence[object]) -> tuple[bytes, ...]:
        return tuple(fhir_json(item).encode() for item in items)

    return [
        Load("GET /healthz", "GET", "/healthz", (b"",), "", 200),
        Load("POST /decide (trail)", "POST", "/decide", requests, JSON, 200),
        Load("POST /decide?trail=false", "POST", "/decide?trail=false", requests, JSON, 200),
        Load("POST /decide (invalid, 422)", "POST", "/decide", (b'{"date": 1}',), JSON, 422),
        Load("GET /cds-services", "GET", "/cds-services", (b"",), "", 200),
        Load(
            "POST /cds-services/proleukin-order-sign (CRD)",
            "POST",
            f"/cds-services/{services['order-sign']}",
            written([hook_from_request(request) for request in parsed]),
            JSON,
            200,
        ),
        Load(
            "POST /fhir/Claim/$submit (PAS)",
            "POST",
            "/fhir/Claim/$submit?policy=proleukin",
            written(bundles),
            fhir,
            200,
        ),
        Load(
            "POST /fhir/Questionnaire/$questionnaire-package (DTR)",
            "POST",
            "/fhir/Questionnaire/$questionnaire-package",
            written([dtr_parameters(bundle) for bundle in bundles]),
            fhir,
            200,
        ),
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _connect(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def _once(connection: http.client.HTTPConnection, load: Load, body: bytes) -> float:
    """One request on a kept-alive connection: its latency in milliseconds."""
    headers = {"Content-Type": load.kind} if load.kind else {}
    started = time.perf_counter()
    connection.request(load.method, load.path, body=body or None, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != load.expect:
        raise SystemExit(f"{load.name}: status {response.status}, expected {load.expect}")
    return elapsed


def _p99(times: Sequence[float]) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[98]


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(port: int, pid: int, load: Load, count: int, threads: int, seconds: float) -> Result:
    """The sequential pass, then the concurrent one, each at most ``seconds`` long.

    ``pid`` is the server's: its CPU time over the sequential pass, per request, is a
    figure the other processes on the machine do not inflate as they do wall time.
    """
    connection = _connect(port)
    for index in range(max(count // 10, 10)):
        _once(connection, load, load.bodies[index % len(load.bodies)])
    times: list[float] = []
    used = cpu_seconds(pid)
    deadline = time.monotonic() + seconds
    for index in range(count):
        times.append(_once(connection, load, load.bodies[index % len(load.bodies)]))
        if time.monotonic() > deadline:
            break
    cpu = (cpu_seconds(pid) - used) * 1000 / len(times)
    connection.close()

    concurrent: list[float] = []
    lock = threading.Lock()
    each = max(count // threads, 1)
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        mine = _connect(port)
        found = []
        for index in range(each):
            found.append(_once(mine, load, load.bodies[(offset + index) % len(load.bodies)]))
            if time.monotonic() > stop:
                break
        mine.close()
        with lock:
            concurrent.extend(found)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    return Result(
        load.name,
        statistics.median(times),
        _p99(times),
        max(times),
        len(concurrent) / wall,
        _p99(concurrent),
        len(times),
        cpu,
    )


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            connection = _connect(port)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server was not ready within 60 s")


def _discover(port: int) -> dict[str, str]:
    """The CDS service of each hook, from discovery (for the CRD load)."""
    connection = _connect(port)
    connection.request("GET", "/cds-services")
    found = json.loads(connection.getresponse().read())
    connection.close()
    services = found["services"]
    return {s["hook"]: s["id"] for s in services if s["id"].startswith("proleukin-")}


def table(results: Sequence[Result], threads: int) -> str:
    """The figures as a markdown table."""
    lines = [
        f"| endpoint | n | p50 ms | p99 ms | worst ms | server CPU ms | req/s ({threads} conn.) "
        f"| p99 ms ({threads}) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.sent} | {r.p50:.2f} | {r.p99:.2f} | {r.worst:.2f} | {r.cpu:.2f} "
            f"| {r.rate:,.0f} | {r.p99_concurrent:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("-n", type=int, default=2000, help="requests per endpoint and pass")
    options.add_argument("--concurrency", type=int, default=4, help="connections at once")
    options.add_argument("--seconds", type=float, default=20.0, help="at most, per pass")
    args = options.parse_args(argv)
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "umpolicy",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy()
    )
    try:
        _wait_ready(port, server)
        endpoints = loads(_discover(port))
        results = [
            run(port, server.pid, load, args.n, args.concurrency, args.seconds)
            for load in endpoints
        ]
    finally:
        server.terminate()
        server.wait(30)
    print(f"umpolicy serve on 127.0.0.1, {os.cpu_count()} cores; client: Python http.client\n")
    print(table(results, args.concurrency))
    decide = next(r for r in results if r.name == "POST /decide (trail)")
    verdict = "met" if decide.p99 < P99_TARGET_MS else "NOT met"
    print(f"\nTarget p99 < {P99_TARGET_MS:g} ms for a JSON decision with its trail: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
