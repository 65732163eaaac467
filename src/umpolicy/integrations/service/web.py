"""The HTTP side every endpoint shares: bodies read within limits, errors answered.

A body is read up to the library's :data:`~umpolicy.io.converter.MAX_REQUEST_BYTES`
(:data:`~umpolicy.io.converter.MAX_FHIR_BYTES` on the FHIR endpoints) and no further,
as JSON the library reads it (exact decimals). Every problem is a
:class:`Problem`: a status and the library's own field errors, answered as
``{"errors": [...]}`` or, on a FHIR endpoint, as an ``OperationOutcome``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response

from umpolicy.errors import FieldError, InputError, did_you_mean, shown
from umpolicy.integrations.fhir.text import dumps as fhir_dumps
from umpolicy.io.converter import CONVERTER, MAX_REQUEST_BYTES, dumps, loads, too_large

JSON = "application/json"
FHIR_JSON = "application/fhir+json"
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


def _too_large(size: str, limit: int) -> Problem:
    return Problem(413, [too_large(size, limit)])


#: How much of a body past the limit is still read, and thrown away, before the 413
#: (in at most :data:`DRAIN_SECONDS`): a client that writes its whole body before it
#: reads gets the answer, not a connection reset by unread data. Nothing read past the
#: limit is kept; a longer body is not read at all.
DRAIN_BYTES = 4 * MAX_REQUEST_BYTES
DRAIN_SECONDS = 2.0


async def _drain(stream: AsyncIterator[bytes], most: int) -> None:
    """Read and drop up to ``most`` more bytes of the body, for at most DRAIN_SECONDS."""
    with anyio.move_on_after(DRAIN_SECONDS):
        dropped = 0
        async for chunk in stream:
            dropped += len(chunk)
            if dropped > most:
                return


async def body(request: Request, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The request's body, read no further than ``limit`` bytes (413 past it).

    A ``Content-Length`` over the limit is refused before any of the body is kept; a
    body sent in chunks is refused at the first chunk that takes it past the limit.
    Either way the rest is drained (read and dropped) when it is at most
    :data:`DRAIN_BYTES`, so that the client reads the 413.
    """
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        if int(length) <= limit + DRAIN_BYTES:
            await _drain(request.stream(), int(length))
        raise _too_large(length, limit)
    chunks = []
    size = 0
    stream = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            await _drain(stream, DRAIN_BYTES)  # the same stream: it may have ended already
            raise _too_large(f"more than {limit}", limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parsed(raw: bytes, limit: int = MAX_REQUEST_BYTES) -> Any:
    """JSON text read as the library reads it (exact decimals); 400 when it is not JSON."""
    try:
        return loads(raw, limit=limit)
    except InputError as error:
        raise Problem(400, error.errors) from None


def query(request: Request, allowed: Sequence[str]) -> dict[str, str]:
    """The query parameters, each given at most once; any other one is a 400 (named)."""
    errors = []
    for key in dict.fromkeys(request.query_params):
        if key not in allowed:
            reason = f"not a parameter of this endpoint{did_you_mean(key, allowed)}"
            errors.append(FieldError(f"?{key}", reason))
        elif len(request.query_params.getlist(key)) > 1:
            errors.append(FieldError(f"?{key}", "given more than once"))
    if errors:
        raise Problem(400, errors)
    return dict(request.query_params)


def flag(given: Mapping[str, str], name: str, default: bool) -> bool:
    """A ``true``/``false`` query parameter (``default`` when not given); else a 400."""
    value = given.get(name)
    if value is None:
        return default
    if value not in _BOOLEAN:
        raise Problem(400, [FieldError(f"?{name}", f"expected true or false, got {shown(value)}")])
    return _BOOLEAN[value]


def json_response(data: object, status: int = 200, kind: str = JSON) -> Response:
    """``data`` as canonical JSON."""
    return Response(dumps(data), status_code=status, media_type=kind)


def errors_response(problem: Problem) -> Response:
    """``{"errors": [...]}`` with the problem's status."""
    errors = [CONVERTER.unstructure(error) for error in problem.errors]
    return json_response({"errors": errors}, problem.status)


#: A FHIR resource (or any JSON object) as parsed or to be written.
Data = dict[str, Any]


# --8<-- [start:issues]  (docs/service.md shows these lines as they are)
#: The FHIR issue type of each status the service answers with.
ISSUE_TYPES = {
    400: "structure",
    404: "not-found",
    405: "not-supported",
    413: "too-costly",
    415: "not-supported",
    422: "invalid",
    500: "exception",
    503: "throttled",
}
# --8<-- [end:issues]


def operation_outcome(errors: Sequence[FieldError], status: int) -> Data:
    """An ``OperationOutcome`` with an issue per error, at its FHIR path (``expression``).

    An error about the whole body (``$``) points at no element; one about a query
    parameter (``?policy``) names it in the issue's ``details``.
    """
    severity = "fatal" if status >= 500 else "error"
    code = ISSUE_TYPES.get(status, "processing")
    issues = []
    for error in errors:
        issue: Data = {"severity": severity, "code": code, "diagnostics": error.reason}
        if error.path.startswith("?"):
            issue["details"] = {"text": f"the query parameter {error.path[1:]}"}
        elif error.path != "$":
            issue["expression"] = [error.path]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def fhir_json(data: object) -> str:
    """FHIR JSON text on one line, each decimal exact (the FHIR mapping's writer)."""
    return fhir_dumps(data, indent=None)


__all__ = [
    "DRAIN_BYTES",
    "DRAIN_SECONDS",
    "FHIR_JSON",
    "JSON",
    "NO_STORE",
    "Data",
    "Problem",
    "body",
    "dumps",
    "errors_response",
    "fhir_json",
    "flag",
    "json_response",
    "media_type",
    "operation_outcome",
    "parsed",
    "query",
]
