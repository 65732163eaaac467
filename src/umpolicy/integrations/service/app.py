"""The decision service as an ASGI application (Starlette), built by :func:`create_app`.

Endpoints: ``POST /decide`` (a request's JSON in, its decision out, with the audit trail
unless ``?trail=false``), ``GET /openapi.json``, ``GET /healthz`` (the process answers),
``GET /readyz`` (every installed policy loaded and passed its checks), and the FHIR
endpoints of :mod:`~umpolicy.integrations.service.fhir`.

Input errors are the library's: every problem, each a path into the input and a
reason, as ``{"errors": [{"path": ..., "reason": ...}]}`` (400 for a body that is not
JSON text or a query not understood, 413 over the size limit, 415 for another media
type, 422 for JSON that is not a valid request); the FHIR endpoints answer them as an
``OperationOutcome``. A body is read up to the library's
:data:`~umpolicy.io.converter.MAX_REQUEST_BYTES` (on the FHIR endpoints its
:data:`~umpolicy.io.converter.MAX_FHIR_BYTES`) and no further: a longer one is
refused on its ``Content-Length``, or as soon as its chunks pass the limit.

A decision takes well under a millisecond of CPU; it runs on the worker threads
(``run_in_threadpool``), so one that takes longer never stalls the event loop, which
keeps reading other requests and answering ``/healthz``. At most
:data:`LIMIT_CONCURRENCY` requests, bringing at most :data:`LIMIT_BODY_BYTES` of body,
are worked on at once: past either a request is answered 503 at once, in its endpoint's
error shape, with ``Retry-After`` (``/healthz`` and ``/readyz`` are always answered, so
a busy service is not taken for a dead one).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from umpolicy.api import evaluate, to_json
from umpolicy.errors import FieldError, InputError, shown
from umpolicy.integrations.fhir.crd import DOCS_BASE
from umpolicy.io.converter import MAX_REQUEST_BYTES, dumps
from umpolicy.io.schema import example_request
from umpolicy.policy import Policy
from umpolicy.registry import load_history, load_policy, policy_names

from . import fhir
from .openapi import document
from .web import (
    FHIR_JSON,
    JSON,
    NO_STORE,
    Problem,
    body,
    errors_response,
    fhir_json,
    flag,
    json_response,
    media_type,
    operation_outcome,
    parsed,
    query,
)

LOG = logging.getLogger("umpolicy.service")

# --8<-- [start:limits]  (docs/service.md shows these lines as they are)
#: The most requests the application works on at once; past it each is answered 503
#: in its endpoint's error shape, with ``Retry-After`` (health and readiness excepted).
LIMIT_CONCURRENCY = 200
#: The most bytes of body the requests under way may bring at once (each its
#: ``Content-Length``, or its endpoint's limit when it is sent in chunks): a body is
#: parsed into data many times its size, and a FHIR body may be 8 MiB. It holds the
#: largest body any endpoint takes, so a request alone is never refused for its size.
LIMIT_BODY_BYTES = 32 * 1024 * 1024
#: Seconds a client told the service is busy is asked to wait before it tries again.
RETRY_AFTER = 1
# --8<-- [end:limits]
#: The endpoints answered however busy the service is: the probes.
_PROBES = frozenset({"/healthz", "/readyz"})


def _is_fhir(path: str) -> bool:
    """Whether the endpoint at ``path`` speaks FHIR (errors as an ``OperationOutcome``)."""
    return path.startswith(fhir.PREFIXES)


def _problem(request: Request, problem: Problem) -> Response:
    """The problem in the endpoint's error shape, never kept by a cache on the way.

    A reason quotes the value at fault (a birth date that is no calendar date, a
    patient's identifier): an error carries a patient's data as a decision does.
    """
    if _is_fhir(request.url.path):
        outcome = operation_outcome(problem.errors, problem.status)
        response = Response(fhir_json(outcome), problem.status, media_type=FHIR_JSON)
    else:
        response = errors_response(problem)
    response.headers.update(NO_STORE)
    return response


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return _problem(request, exc)


async def _on_http(request: Request, exc: Exception) -> Response:
    """Not found, or the wrong method: answered in the endpoint's own error shape."""
    assert isinstance(exc, HTTPException)
    reason = f"{request.method} {request.url.path}: {exc.detail.lower()}"
    response = _problem(request, Problem(exc.status_code, [FieldError("$", reason)]))
    response.headers.update(exc.headers or {})
    return response


async def _on_error(request: Request, exc: Exception) -> Response:
    """A bug, never a decision: 500, and the details go to the server's log, not the caller."""
    LOG.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    reason = "internal error: no decision was made (the server's log has the details)"
    return _problem(request, Problem(500, [FieldError("$", reason)]))


def body_bytes(scope: Scope) -> int:
    """The bytes of body a request may bring, as :class:`Limit` counts them.

    Its ``Content-Length`` up to its endpoint's limit (a longer body is refused unkept),
    that limit when it comes in chunks, else none.
    """
    limit = fhir.BODY_LIMIT if _is_fhir(scope["path"]) else MAX_REQUEST_BYTES
    headers = dict(scope["headers"])
    length = headers.get(b"content-length", b"")
    if length.isdigit():
        return min(int(length), limit)
    return limit if b"chunked" in headers.get(b"transfer-encoding", b"").lower() else 0


class Limit:
    """At most ``limit`` requests, and ``body_limit`` bytes of body, under way in ``app``.

    Past either, a request is answered 503 in its endpoint's shape. A server's own limit
    answers plain text (uvicorn's ``Service Unavailable``), which a client that reads this
    service's JSON errors, or a FHIR client that reads an ``OperationOutcome``, cannot
    read; this one answers as every other error here does, never kept by a cache, with
    ``Retry-After``. The probes are never refused. One event loop runs the application,
    so the counts need no lock.
    """

    def __init__(
        self, app: ASGIApp, limit: int = LIMIT_CONCURRENCY, body_limit: int = LIMIT_BODY_BYTES
    ) -> None:
        if limit < 1:
            raise ValueError(f"the limit on requests under way must be at least 1, not {limit}")
        if body_limit < fhir.BODY_LIMIT:
            raise ValueError(
                f"the limit on bytes of body under way must hold the largest body an "
                f"endpoint takes ({fhir.BODY_LIMIT}), not {body_limit}"
            )
        self.app = app
        self.limit = limit
        self.body_limit = body_limit
        self.under_way = 0
        self.bytes_under_way = 0

    def __repr__(self) -> str:
        return f"Limit({self.app!r}, {self.limit!r}, {self.body_limit!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on while there is room (a probe always), else answer 503."""
        if scope["type"] != "http" or scope["path"] in _PROBES:
            await self.app(scope, receive, send)
            return
        size = body_bytes(scope)
        if self.under_way >= self.limit or self.bytes_under_way + size > self.body_limit:
            reason = (
                f"the service is busy ({self.under_way} requests, {self.bytes_under_way} "
                f"bytes of body under way): no decision was made; try again in {RETRY_AFTER} s"
            )
            response = _problem(Request(scope), Problem(503, [FieldError("$", reason)]))
            response.headers["Retry-After"] = str(RETRY_AFTER)
            await response(scope, receive, send)
            return
        self.under_way += 1
        self.bytes_under_way += size
        try:
            await self.app(scope, receive, send)
        finally:
            self.under_way -= 1
            self.bytes_under_way -= size


class Service:
    """What the endpoints share: the installed policies, loaded once, and the readiness.

    ``names`` are the policies to load and serve (every installed one unless given). A
    policy that fails to load or to pass its checks (any of its versions: a request is
    decided under the one in force on its date) leaves the service up (``/healthz``)
    but not ready (``/readyz`` names it); the others still decide.
    """

    def __init__(self, names: Iterable[str] | None = None) -> None:
        self.status: dict[str, str] = {}
        loaded: list[Policy] = []
        for name in policy_names() if names is None else names:
            try:
                policy = load_policy(name)
                load_history(name)
            except Exception as error:  # any failure: reported, and the service not ready
                self.status[name] = f"cannot be loaded: {type(error).__name__}: {error}"
                LOG.error("policy %r cannot be loaded", name, exc_info=error)
            else:
                self.status[name] = f"ready: version {policy.version}"
                loaded.append(policy)
        self.policies = tuple(loaded)
        self.ready = bool(self.policies) and len(self.policies) == len(self.status)
        self.openapi = dumps(document(self.policies, fhir.PATHS))
        for policy in self.policies:  # the first request is not the one to pay for warming up
            try:
                evaluate(example_request([policy]), policy)
            except InputError:
                LOG.info("the example request does not suit %r: not warmed up", policy.name)

    def __repr__(self) -> str:
        return f"Service({list(self.status)!r})"

    def _decide(self, raw: bytes, trail: bool) -> str:
        """The decision on one request's JSON, as JSON: the work of ``POST /decide``.

        A request names its policy; one installed but not served here (it failed to
        load, or was left out) is a 422 at ``$.policy``, any other fault the library's.
        A served policy is passed by its name, so that the request is decided under the
        version in force on its date, as the library decides it: the version loaded
        here is only the newest.
        """
        data = parsed(raw)
        name = data.get("policy") if isinstance(data, Mapping) else None
        policy = next((p for p in self.policies if p.name == name), None)
        if policy is None and isinstance(name, str) and name in policy_names():
            reason = f"the policy {shown(name)} is installed but not served here (see /readyz)"
            raise Problem(422, [FieldError("$.policy", reason)])
        try:
            return to_json(evaluate(data, None if policy is None else policy.name, trail=trail))
        except InputError as error:
            raise Problem(422, error.errors) from None

    async def decide(self, request: Request) -> Response:
        """``POST /decide``: a request's JSON in, its decision's JSON out."""
        trail = flag(query(request, ("trail",)), "trail", True)
        media_type(request, (JSON,))
        text = await run_in_threadpool(self._decide, await body(request), trail)
        return Response(text, media_type=JSON, headers=NO_STORE)

    async def health(self, _: Request) -> Response:
        """``GET /healthz``: the process is up and answering."""
        return json_response({"status": "ok"})

    async def readiness(self, _: Request) -> Response:
        """``GET /readyz``: 200 when every policy loaded and passed its checks, else 503."""
        status = "ready" if self.ready else "not ready"
        return json_response(
            {"status": status, "policies": self.status}, 200 if self.ready else 503
        )

    async def document(self, _: Request) -> Response:
        """``GET /openapi.json``: the OpenAPI 3.1 document of the service."""
        return Response(self.openapi, media_type=JSON)


Handler = Callable[[Request, Exception], Awaitable[Response]]


def create_app(
    names: Iterable[str] | None = None,
    docs_base: str = DOCS_BASE,
    *,
    limit: int = LIMIT_CONCURRENCY,
    body_limit: int = LIMIT_BODY_BYTES,
) -> Starlette:
    """The service's ASGI application, deciding under the policies ``names`` (or all).

    ``docs_base`` is where the policies' pages are published: CRD cards link to them.
    ``limit`` is the most requests it works on at once, ``body_limit`` the most bytes of
    body they bring (see :class:`Limit`).
    """
    service = Service(names)
    routes = [
        Route("/decide", service.decide, methods=["POST"]),
        Route("/openapi.json", service.document, methods=["GET"]),
        Route("/healthz", service.health, methods=["GET"]),
        Route("/readyz", service.readiness, methods=["GET"]),
        *fhir.routes(service.policies, docs_base),
    ]
    handlers: Mapping[Any, Handler] = {
        Problem: _on_problem,
        HTTPException: _on_http,
        Exception: _on_error,
    }
    app = Starlette(
        routes=routes,
        exception_handlers=dict(handlers),
        middleware=[Middleware(Limit, limit=limit, body_limit=body_limit)],
    )
    app.state.service = service
    return app


__all__ = [
    "LIMIT_BODY_BYTES",
    "LIMIT_CONCURRENCY",
    "RETRY_AFTER",
    "Limit",
    "Problem",
    "Service",
    "body",
    "body_bytes",
    "create_app",
    "flag",
    "media_type",
    "parsed",
]
