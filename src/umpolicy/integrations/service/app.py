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
:data:`~umpolicy.io.converter.MAX_REQUEST_BYTES` and no further: a longer one is
refused on its ``Content-Length``, or as soon as its chunks pass the limit.

A decision takes well under a millisecond of CPU; it runs on the worker threads
(``run_in_threadpool``), so one that takes longer never stalls the event loop, which
keeps reading other requests and answering ``/healthz``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from umpolicy.api import evaluate, to_json
from umpolicy.errors import FieldError, InputError, did_you_mean, shown
from umpolicy.io.converter import CONVERTER, MAX_REQUEST_BYTES, dumps, loads
from umpolicy.io.schema import example_request
from umpolicy.policy import Policy
from umpolicy.registry import load_policy, policy_names

from . import fhir
from .openapi import FHIR_JSON, JSON, document

LOG = logging.getLogger("umpolicy.service")
#: Responses that may carry a patient's data are never kept by a cache on the way.
NO_STORE = {"Cache-Control": "no-store"}
_BOOLEAN = {"true": True, "false": False}


class Problem(Exception):
    """An answer other than 200: its status and every problem, each a path and a reason."""

    def __init__(self, status: int, errors: Sequence[FieldError]) -> None:
        self.status = status
        self.errors = tuple(errors)
        super().__init__("\n".join(map(str, self.errors)))


def media_type(request: Request, accepted: Iterable[str]) -> None:
    """Refuse (415) a body whose ``Content-Type`` is not one of ``accepted``, in UTF-8."""
    given = request.headers.get("content-type", "")
    kind, *parameters = (part.strip().lower() for part in given.split(";"))
    allowed = tuple(accepted)
    if kind not in allowed:
        named = f"{shown(given)}" if given else "none"
        reason = f"the body must be {' or '.join(allowed)} (Content-Type: {named})"
        raise Problem(415, [FieldError("$", reason)])
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            reason = f"JSON is exchanged as UTF-8, not {shown(value.strip())}"
            raise Problem(415, [FieldError("$", reason)])


def _too_large(size: str) -> Problem:
    limit = f"the limit is {MAX_REQUEST_BYTES} bytes"
    return Problem(413, [FieldError("$", f"a request of {size} bytes; {limit}")])


async def body(request: Request, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The request's body, read no further than ``limit`` bytes (413 past it).

    A ``Content-Length`` over the limit is refused before any of the body is read;
    a body sent in chunks is refused at the first chunk that takes it past the limit.
    """
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise _too_large(length)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(f"more than {limit}")
        chunks.append(chunk)
    return b"".join(chunks)


def parsed(raw: bytes) -> Any:
    """JSON text read as the library reads it (exact decimals); 400 when it is not JSON."""
    try:
        return loads(raw)
    except InputError as error:
        raise Problem(400, error.errors) from None


def flag(request: Request, name: str, default: bool, allowed: Sequence[str]) -> bool:
    """A ``true``/``false`` query parameter; any other parameter, or value, is a 400."""
    errors = []
    for key in request.query_params:
        if key not in allowed:
            reason = f"not a parameter of this endpoint{did_you_mean(key, allowed)}"
            errors.append(FieldError(f"?{key}", reason))
    values = request.query_params.getlist(name)
    if len(values) > 1:
        errors.append(FieldError(f"?{name}", "given more than once"))
    elif values and values[0] not in _BOOLEAN:
        errors.append(FieldError(f"?{name}", f"expected true or false, got {shown(values[0])}"))
    if errors:
        raise Problem(400, errors)
    return _BOOLEAN[values[0]] if values else default


def _decide(raw: bytes, trail: bool) -> str:
    """The decision on one request's JSON, as JSON: the work of ``POST /decide``."""
    data = parsed(raw)
    try:
        return to_json(evaluate(data, trail=trail))
    except InputError as error:
        raise Problem(422, error.errors) from None


async def decide(request: Request) -> Response:
    """``POST /decide``: a request's JSON in, its decision's JSON out."""
    trail = flag(request, "trail", True, ("trail",))
    media_type(request, (JSON,))
    text = await run_in_threadpool(_decide, await body(request), trail)
    return Response(text, media_type=JSON, headers=NO_STORE)


def json_response(data: object, status: int = 200, kind: str = JSON) -> Response:
    """``data`` as canonical JSON."""
    return Response(dumps(data), status_code=status, media_type=kind)


def errors_response(problem: Problem) -> Response:
    """``{"errors": [...]}`` with the problem's status."""
    errors = [CONVERTER.unstructure(error) for error in problem.errors]
    return json_response({"errors": errors}, problem.status)


def _is_fhir(request: Request) -> bool:
    """Whether the endpoint speaks FHIR (and so answers errors as an ``OperationOutcome``)."""
    return request.url.path.startswith(fhir.PREFIXES)


def _problem(request: Request, problem: Problem) -> Response:
    if _is_fhir(request):
        outcome = fhir.operation_outcome(problem.errors, problem.status)
        return json_response(outcome, problem.status, FHIR_JSON)
    return errors_response(problem)


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


class Service:
    """What the endpoints share: the installed policies, loaded once, and the readiness.

    ``names`` are the policies to load (every installed one unless given). A policy
    that fails to load or to pass its checks leaves the service up (``/healthz``) but
    not ready (``/readyz`` names it); the others still decide.
    """

    def __init__(self, names: Iterable[str] | None = None) -> None:
        self.status: dict[str, str] = {}
        loaded: list[Policy] = []
        for name in policy_names() if names is None else names:
            try:
                policy = load_policy(name)
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


def create_app(names: Iterable[str] | None = None) -> Starlette:
    """The service's ASGI application, deciding under the policies ``names`` (or all)."""
    service = Service(names)
    routes = [
        Route("/decide", decide, methods=["POST"]),
        Route("/openapi.json", service.document, methods=["GET"]),
        Route("/healthz", service.health, methods=["GET"]),
        Route("/readyz", service.readiness, methods=["GET"]),
        *fhir.routes(service.policies),
    ]
    handlers: Mapping[Any, Handler] = {
        Problem: _on_problem,
        HTTPException: _on_http,
        Exception: _on_error,
    }
    app = Starlette(routes=routes, exception_handlers=dict(handlers))
    app.state.service = service
    return app


__all__ = ["Problem", "Service", "body", "create_app", "flag", "media_type", "parsed"]
