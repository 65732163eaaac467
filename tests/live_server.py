"""The real service on the loopback interface, a plain HTTP client to call it, DTR's input.

:func:`running` starts uvicorn (the configuration ``umpolicy serve`` uses) in a thread
on 127.0.0.1, on a port the system picks, and stops it gracefully on leaving.
:func:`call` makes one request with :mod:`http.client`, which sends exactly the
headers and body it is given (a ``Content-Length`` that lies, chunks).
:func:`dtr_parameters` makes DTR's ``$questionnaire-package`` input from a PAS bundle.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import uvicorn
from starlette.applications import Starlette

from umpolicy.integrations.fhir.codes import QUESTIONNAIRE_PREFIX
from umpolicy.integrations.service import server


class Served:
    """A running server: where it listens."""

    def __init__(self, port: int) -> None:
        self.host = "127.0.0.1"
        self.port = port

    def __repr__(self) -> str:
        return f"Served({self.port!r})"


@contextlib.contextmanager
def running(app: Starlette | None = None) -> Iterator[Served]:
    """The service (or ``app``) served by uvicorn in a thread, on a free loopback port."""
    config = server.config("127.0.0.1", 0, access_log=False)
    if app is not None:
        config.app = app
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive(), "the server stopped as it started"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    port = uv.servers[0].sockets[0].getsockname()[1]
    try:
        yield Served(port)
    finally:
        uv.should_exit = True
        thread.join(30)


class Answer:
    """One response: its status, headers (lower-cased names) and body."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = dict(headers)
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"Answer({self.status!r}, {self.headers!r}, {self.body[:200]!r})"


def call(
    served: Served,
    method: str,
    path: str,
    body: bytes | Iterable[bytes] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """One request; a body given as an iterable of chunks is sent chunked."""
    connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
    try:
        chunked = body is not None and not isinstance(body, bytes)
        connection.request(
            method, path, body=body, headers=dict(headers or {}), encode_chunked=chunked
        )
        response = connection.getresponse()
        found = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, found, response.read())
    finally:
        connection.close()


def post_json(
    served: Served, path: str, data: bytes | object, kind: str = "application/json"
) -> Answer:
    """POST ``data`` (bytes as they are, else as JSON) with the ``Content-Type`` ``kind``."""
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return call(served, "POST", path, raw, {"Content-Type": kind})


def dtr_parameters(bundle: dict[str, Any], policy: str | None = "proleukin") -> dict[str, Any]:
    """DTR's $questionnaire-package input for a PAS bundle's order: order, coverage, the rest."""
    resources = [entry["resource"] for entry in bundle["entry"]]
    parameters: list[dict[str, Any]] = []
    for resource in resources:
        kind = resource["resourceType"]
        if kind == "MedicationRequest" and not any(p["name"] == "order" for p in parameters):
            parameters.insert(0, {"name": "order", "resource": resource})
        elif kind == "Coverage":
            parameters.append({"name": "coverage", "resource": resource})
        elif kind != "Claim":
            parameters.append({"name": "referenced", "resource": resource})
    if policy is not None:
        canonical = f"{QUESTIONNAIRE_PREFIX}{policy}"
        parameters.append({"name": "questionnaire", "valueCanonical": canonical})
    return {"resourceType": "Parameters", "parameter": parameters}
