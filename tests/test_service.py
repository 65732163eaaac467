"""umpolicy serve: the real server on loopback, called over HTTP, answers as the library does."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import jsonschema
import pytest
import referencing
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_openapi

from tests.live_server import Served, call, post_json, running
from umpolicy.api import evaluate, parse_request, to_json
from umpolicy.cli import main
from umpolicy.errors import InputError, PolicyError
from umpolicy.integrations.fhir.write import hook_from_request
from umpolicy.integrations.service import app as service_app
from umpolicy.integrations.service.app import create_app
from umpolicy.integrations.service.openapi import add_schema
from umpolicy.integrations.service.web import DRAIN_SECONDS, fhir_json
from umpolicy.io.converter import CONVERTER, MAX_FHIR_BYTES, MAX_REQUEST_BYTES
from umpolicy.registry import policy_names

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
APPROVE = Path(__file__).parent.parent / "examples" / "proleukin" / "rcc-approve.json"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with running() as found:
        yield found


def library_errors(raw: bytes) -> list[dict[str, str]]:
    """The errors the library raises on the same input."""
    with pytest.raises(InputError) as caught:
        evaluate(raw)
    return [CONVERTER.unstructure(error) for error in caught.value.errors]


class TestDecide:
    """POST /decide answers every example with the decision the library makes."""

    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
    def test_every_example(self, served: Served, example: Path) -> None:
        """The decision and its trail, byte for byte the library's JSON."""
        raw = example.read_bytes()
        answer = post_json(served, "/decide", raw)
        assert answer.status == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.body.decode() == to_json(evaluate(raw))

    @pytest.mark.parametrize(
        ("query", "trail"), [("", True), ("?trail=true", True), ("?trail=false", False)]
    )
    def test_trail(self, served: Served, query: str, trail: bool) -> None:
        """The trail is there unless ?trail=false."""
        answer = post_json(served, f"/decide{query}", APPROVE.read_bytes())
        assert answer.status == 200
        assert (answer.json()["trail"] is not None) is trail

    def test_decided_under_the_version_in_force(self, served: Served) -> None:
        """A request dated under an earlier version is decided under it, not the newest."""
        raw = APPROVE.read_bytes().replace(b'"2026-03-02"', b'"2024-06-03"')
        answer = post_json(served, "/decide", raw)
        assert answer.status == 200
        assert answer.json()["policy"]["version"] == "2022-01-01"
        assert answer.json()["outcome"] != "approve"  # 2.C: clear cell histology, not given
        assert answer.body.decode() == to_json(evaluate(raw))

    def test_never_cached(self, served: Served) -> None:
        """A decision carries a patient's data: no cache on the way keeps it."""
        answer = post_json(served, "/decide", APPROVE.read_bytes())
        assert answer.headers["cache-control"] == "no-store"

    def test_charset(self, served: Served) -> None:
        """application/json; charset=utf-8 is JSON too."""
        answer = post_json(
            served, "/decide", APPROVE.read_bytes(), "application/json; charset=UTF-8"
        )
        assert answer.status == 200


class TestInputErrors:
    """Bad input gets the library's own errors, each a path and a reason, never a decision."""

    @pytest.mark.parametrize(
        "raw",
        [b"{", b"", b"\xff{}", b'{"date": "2026-03-02", "date": "2026-03-02"}', b"\xef\xbb\xbf{}"],
        ids=["truncated", "empty", "not-utf8", "duplicate-key", "bom"],
    )
    def test_not_json(self, served: Served, raw: bytes) -> None:
        """400: not JSON text as the library reads it."""
        answer = post_json(served, "/decide", raw)
        assert answer.status == 400
        assert answer.json() == {"errors": library_errors(raw)}

    @pytest.mark.parametrize(
        "data",
        [
            {"date": 1},
            [],
            {"policy": "nonesuch", "date": "2026-03-02"},
            {"date": "2026-03-02"},
            {
                **json.loads(APPROVE.read_text()),
                "patient": {"weight": {"value": "70", "unit": "cm"}},
            },
        ],
        ids=["bad-date", "not-an-object", "unknown-policy", "no-policy", "wrong-unit"],
    )
    def test_not_a_request(self, served: Served, data: object) -> None:
        """422: JSON that is not a valid request, with every error the library finds."""
        raw = json.dumps(data).encode()
        answer = post_json(served, "/decide", raw)
        assert answer.status == 422
        assert answer.json() == {"errors": library_errors(raw)}

    @pytest.mark.parametrize("path", ["/decide", "/fhir/Claim/$submit?policy=proleukin"])
    def test_never_cached(self, served: Served, path: str) -> None:
        """An error quotes the value at fault, a patient's data: no cache on the way keeps it."""
        raw = json.dumps({"patient": {"birth_date": "1970-02-30"}}).encode()
        kind = "application/fhir+json" if path.startswith("/fhir") else "application/json"
        for answer in (post_json(served, path, raw, kind), post_json(served, path, b"{", kind)):
            assert answer.status in (400, 422)
            assert answer.headers["cache-control"] == "no-store"
        assert "'1970-02-30'" in post_json(served, "/decide", raw).body.decode()

    def test_unknown_parameter(self, served: Served) -> None:
        """400: a misspelled parameter is named, with the one meant, not ignored."""
        answer = post_json(served, "/decide?trial=false", APPROVE.read_bytes())
        assert answer.status == 400
        reason = "not a parameter of this endpoint (did you mean 'trail'?)"
        assert answer.json() == {"errors": [{"path": "?trial", "reason": reason}]}

    @pytest.mark.parametrize("query", ["?trail=no", "?trail=", "?trail=false&trail=true"])
    def test_bad_trail(self, served: Served, query: str) -> None:
        """400: trail is true or false, given once."""
        answer = post_json(served, f"/decide{query}", APPROVE.read_bytes())
        assert answer.status == 400
        assert [error["path"] for error in answer.json()["errors"]] == ["?trail"]

    @pytest.mark.parametrize(
        "kind",
        [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=latin-1",
            "",
        ],
    )
    def test_media_type(self, served: Served, kind: str) -> None:
        """415: the body must be JSON in UTF-8."""
        headers = {"Content-Type": kind} if kind else {}
        answer = call(served, "POST", "/decide", APPROVE.read_bytes(), headers)
        assert answer.status == 415
        assert answer.json()["errors"][0]["path"] == "$"

    def test_wrong_method(self, served: Served) -> None:
        """405, in the errors shape, with the methods allowed."""
        answer = call(served, "GET", "/decide")
        assert answer.status == 405
        assert answer.headers["allow"] == "POST"
        assert answer.json() == {
            "errors": [{"path": "$", "reason": "GET /decide: method not allowed"}]
        }

    def test_not_found(self, served: Served) -> None:
        """404, in the errors shape."""
        answer = call(served, "GET", "/nowhere")
        assert answer.status == 404
        assert answer.json() == {"errors": [{"path": "$", "reason": "GET /nowhere: not found"}]}

    def test_internal_error(self, served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
        """500 with no decision and no internals; the log has the details."""

        def broken(*_: object, **__: object) -> None:
            raise RuntimeError("secret internals")

        monkeypatch.setattr(service_app, "evaluate", broken)
        answer = post_json(served, "/decide", APPROVE.read_bytes())
        assert answer.status == 500
        assert b"secret" not in answer.body
        reason = "internal error: no decision was made (the server's log has the details)"
        assert answer.json() == {"errors": [{"path": "$", "reason": reason}]}


def _too_large(reason_size: str) -> dict[str, Any]:
    reason = f"a request of {reason_size} bytes; the limit is {MAX_REQUEST_BYTES} bytes"
    return {"errors": [{"path": "$", "reason": reason}]}


class TestSizeLimit:
    """A body is read up to the library's MAX_REQUEST_BYTES and no further (413 past it)."""

    def test_refused_on_its_length_before_it_is_sent(self, served: Served) -> None:
        """A Content-Length over the limit is answered before any of the body arrives."""
        connection = http.client.HTTPConnection(served.host, served.port, timeout=10)
        try:
            connection.putrequest("POST", "/decide")
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(10**9))
            connection.endheaders()  # and not one byte of the body
            response = connection.getresponse()
            assert response.status == 413
            assert json.loads(response.read()) == _too_large(str(10**9))
        finally:
            connection.close()

    def test_chunks_refused_past_the_limit(self, served: Served) -> None:
        """A body sent in chunks, without a length, is refused once it passes the limit."""
        chunks = (b" " * 65536 for _ in range(8))
        answer = call(served, "POST", "/decide", chunks, {"Content-Type": "application/json"})
        assert answer.status == 413
        assert answer.json() == _too_large(f"more than {MAX_REQUEST_BYTES}")

    def test_far_past_the_limit_is_not_read_to_its_end(self, served: Served) -> None:
        """Past the limit and what is drained after it, the server stops reading and closes.

        The client that is still writing then sees the 413, or a connection the server
        closed: never a decision. The server goes on answering.
        """
        chunks = (b" " * 65536 for _ in range(64))  # 4 MiB
        try:
            answer = call(served, "POST", "/decide", chunks, {"Content-Type": "application/json"})
        except (ConnectionError, http.client.HTTPException):
            pass
        else:
            assert answer.status == 413
        assert call(served, "GET", "/healthz").status == 200

    def test_a_body_that_stops_coming(self, served: Served) -> None:
        """A body over the limit that never arrives in full is answered 413 after the drain."""
        with socket.create_connection((served.host, served.port), timeout=30) as raw:
            head = (
                "POST /decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {MAX_REQUEST_BYTES + 10}\r\n\r\n"
            )
            raw.sendall(head.encode() + b"{}")
            started = time.monotonic()
            answer = raw.recv(65536)
            assert answer.startswith(b"HTTP/1.1 413 ")
            assert time.monotonic() - started < DRAIN_SECONDS + 5

    @settings(max_examples=12, deadline=None)
    @given(
        size=st.integers(MAX_REQUEST_BYTES - 64, MAX_REQUEST_BYTES + 64) | st.integers(2, 4096),
        chunked=st.booleans(),
    )
    def test_at_the_limit(self, served: Served, size: int, chunked: bool) -> None:
        """A body of the limit or less is read (and judged); one byte more is 413."""
        raw = b"{}" + b" " * (size - 2)
        body = iter([raw[: size // 2], raw[size // 2 :]]) if chunked else raw
        answer = call(served, "POST", "/decide", body, {"Content-Type": "application/json"})
        if size <= MAX_REQUEST_BYTES:
            assert answer.status == 422  # read, and not a request: no date
        else:
            assert answer.status == 413


class TestHealth:
    """/healthz says the process answers; /readyz, that every installed policy loaded."""

    def test_health(self, served: Served) -> None:
        answer = call(served, "GET", "/healthz")
        assert (answer.status, answer.json()) == (200, {"status": "ok"})

    def test_ready(self, served: Served) -> None:
        """Every installed policy is named, ready, with its version."""
        answer = call(served, "GET", "/readyz")
        assert answer.status == 200
        assert answer.json()["status"] == "ready"
        assert set(answer.json()["policies"]) == set(policy_names())
        assert all(
            state.startswith("ready: version ") for state in answer.json()["policies"].values()
        )

    def test_not_ready(self) -> None:
        """503 when a policy cannot be loaded; it is named, and the others still decide."""
        with running(create_app(["proleukin", "nonesuch"])) as other:
            answer = call(other, "GET", "/readyz")
            assert answer.status == 503
            assert answer.json()["status"] == "not ready"
            assert answer.json()["policies"]["nonesuch"].startswith(
                "cannot be loaded: UnknownPolicyError"
            )
            assert call(other, "GET", "/healthz").status == 200
            assert post_json(other, "/decide", APPROVE.read_bytes()).status == 200

    def test_only_the_served_policies_decide(self) -> None:
        """An installed policy left out (or failed) is named, and the way to see why."""
        with running(create_app(["quellimab"])) as other:
            answer = post_json(other, "/decide", APPROVE.read_bytes())
            assert answer.status == 422
            reason = "the policy 'proleukin' is installed but not served here (see /readyz)"
            assert answer.json() == {"errors": [{"path": "$.policy", "reason": reason}]}

    def test_a_history_that_cannot_be_loaded_is_not_ready(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every version must load: a request is decided under the one in force on its date."""

        def broken(name: str) -> None:
            raise PolicyError(f"the history of {name!r} does not hold its registered version")

        monkeypatch.setattr(service_app, "load_history", broken)
        answer = service_app.Service(["proleukin"])
        assert not answer.ready
        assert answer.status["proleukin"].startswith("cannot be loaded: PolicyError")

    def test_no_policy_is_not_ready(self) -> None:
        """A service with no policy to decide under is never ready."""
        with running(create_app([])) as other:
            answer = call(other, "GET", "/readyz")
            assert (answer.status, answer.json()) == (503, {"status": "not ready", "policies": {}})

    def test_health_answers_during_a_slow_decision(
        self, served: Served, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Decisions run on worker threads: the event loop still answers while one runs."""
        release = threading.Event()
        real = evaluate

        def slow(*args: Any, **kwargs: Any) -> Any:
            release.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(service_app, "evaluate", slow)
        result: list[int] = []
        worker = threading.Thread(
            target=lambda: result.append(post_json(served, "/decide", APPROVE.read_bytes()).status)
        )
        worker.start()
        try:
            time.sleep(0.2)  # the decision is under way, and waiting
            started = time.monotonic()
            assert call(served, "GET", "/healthz").status == 200
            assert time.monotonic() - started < 2
            assert not result
        finally:
            release.set()
            worker.join(10)
        assert result == [200]

    def test_warm_up_skips_an_example_that_does_not_suit(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A policy whose schema example is not a valid request still serves."""
        monkeypatch.setattr(service_app, "example_request", lambda _: {"date": 1})
        assert create_app(["proleukin"]).state.service.ready


class TestBusy:
    """Past its limit on requests under way the service answers 503 in the endpoint's shape."""

    @pytest.fixture
    def busy(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
        """A service of limit 1 whose one decision is under way, held until the test ends."""
        release, started = threading.Event(), threading.Event()
        real = evaluate

        def slow(*args: Any, **kwargs: Any) -> Any:
            started.set()
            release.wait(10)
            return real(*args, **kwargs)

        result: list[int] = []
        with running(create_app(["proleukin"], limit=1)) as served:
            monkeypatch.setattr(service_app, "evaluate", slow)  # once warmed up and serving
            worker = threading.Thread(
                target=lambda: result.append(
                    post_json(served, "/decide", APPROVE.read_bytes()).status
                )
            )
            worker.start()
            try:
                assert started.wait(10)
                yield served
            finally:
                release.set()
                worker.join(10)
            assert result == [200]  # the decision under way was never cut short
            monkeypatch.setattr(service_app, "evaluate", real)
            assert post_json(served, "/decide", APPROVE.read_bytes()).status == 200

    def test_decide(self, busy: Served) -> None:
        """A decision asked for meanwhile: 503, the JSON errors, Retry-After, never cached."""
        answer = post_json(busy, "/decide", APPROVE.read_bytes())
        assert answer.status == 503
        assert answer.headers["retry-after"] == str(service_app.RETRY_AFTER)
        assert answer.headers["cache-control"] == "no-store"
        [error] = answer.json()["errors"]
        assert error["path"] == "$"
        size = len(APPROVE.read_bytes())
        assert error["reason"] == (
            f"the service is busy (1 requests, {size} bytes of body under way): no decision "
            f"was made; try again in {service_app.RETRY_AFTER} s"
        )

    def test_fhir(self, busy: Served) -> None:
        """A FHIR endpoint answers an OperationOutcome whose issue is ``throttled``."""
        answer = post_json(busy, "/fhir/Claim/$submit", b"{}", "application/fhir+json")
        assert answer.status == 503
        assert answer.headers["content-type"].startswith("application/fhir+json")
        outcome = answer.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert [issue["code"] for issue in outcome["issue"]] == ["throttled"]

    @pytest.mark.parametrize("path", ["/healthz", "/readyz"])
    def test_probes_always_answer(self, busy: Served, path: str) -> None:
        """A busy service is not taken for a dead one: the probes are never refused."""
        assert call(busy, "GET", path).status == 200

    def test_documented(self, document: dict[str, Any]) -> None:
        """The OpenAPI document lists the 503 of the decision endpoints."""
        assert "503" in document["paths"]["/decide"]["post"]["responses"]
        assert "503" in document["paths"]["/fhir/Claim/$submit"]["post"]["responses"]

    def test_a_request_that_fails_gives_its_place_back(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bug (500) or a refused body (413) ends the request: the next one is worked on."""

        def broken(*_: Any, **__: Any) -> Any:
            raise RuntimeError("a bug")

        with running(create_app(["proleukin"], limit=1)) as served:
            monkeypatch.setattr(service_app, "evaluate", broken)
            assert post_json(served, "/decide", APPROVE.read_bytes()).status == 500
            monkeypatch.setattr(service_app, "evaluate", evaluate)
            assert post_json(served, "/decide", b" " * (MAX_REQUEST_BYTES + 1)).status == 413
            for _ in range(3):
                assert post_json(served, "/decide", APPROVE.read_bytes()).status == 200

    @pytest.mark.parametrize(
        ("path", "headers", "size"),
        [
            ("/decide", [(b"content-length", b"1200")], 1200),
            ("/decide", [(b"content-length", b"999999999")], MAX_REQUEST_BYTES),
            ("/decide", [(b"transfer-encoding", b"chunked")], MAX_REQUEST_BYTES),
            ("/fhir/Claim/$submit", [(b"Transfer-Encoding", b"Chunked")], MAX_FHIR_BYTES),
            ("/cds-services/x", [(b"content-length", b"x")], 0),
            ("/openapi.json", [], 0),
        ],
    )
    def test_the_body_a_request_may_bring(
        self, path: str, headers: list[tuple[bytes, bytes]], size: int
    ) -> None:
        """Its length, up to its endpoint's limit; that limit, sent in chunks; else none."""
        scope = {"type": "http", "path": path, "headers": [(k.lower(), v) for k, v in headers]}
        assert service_app.body_bytes(scope) == size

    def test_bodies_past_the_byte_limit_wait(self) -> None:
        """Past the bytes of body under way, 503 too; a small body still fits, and all are freed."""
        release = asyncio.Event()
        passed: list[str] = []

        async def inner(scope: Any, *_: Any) -> None:
            passed.append(scope["path"])
            if scope["path"] == "/fhir/Claim/$submit":
                await release.wait()

        limit = service_app.Limit(inner, body_limit=MAX_FHIR_BYTES + 1000)

        def scope(path: str, length: int) -> dict[str, Any]:
            headers = [(b"content-length", str(length).encode())]
            return {
                "type": "http",
                "method": "POST",
                "path": path,
                "headers": headers,
                "query_string": b"",
            }

        async def run() -> list[Any]:
            sent: list[Any] = []

            async def send(message: Any) -> None:
                sent.append(message)

            async def receive() -> Any:
                return {"type": "http.request", "body": b"", "more_body": False}

            held = asyncio.create_task(
                limit(scope("/fhir/Claim/$submit", MAX_FHIR_BYTES), receive, send)
            )
            await asyncio.sleep(0)
            assert limit.bytes_under_way == MAX_FHIR_BYTES
            await limit(scope("/fhir/Questionnaire/$questionnaire-package", 2000), receive, send)
            await limit(scope("/decide", 900), receive, send)
            release.set()
            await held
            return sent

        sent = asyncio.run(run())
        assert passed == ["/fhir/Claim/$submit", "/decide"]
        [busy] = [m for m in sent if m["type"] == "http.response.start"]
        assert busy["status"] == 503
        assert (limit.under_way, limit.bytes_under_way) == (0, 0)

    def test_a_byte_limit_below_the_largest_body_is_refused(self) -> None:
        """A request alone must always fit: the limit holds the largest body an endpoint takes."""
        with pytest.raises(ValueError, match="must hold the largest body"):
            service_app.Limit(create_app([]), body_limit=MAX_FHIR_BYTES - 1)

    def test_a_limit_below_one_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 1, not 0"):
            service_app.Limit(create_app([]), 0)

    def test_repr(self) -> None:
        inner = create_app([])
        limit = service_app.Limit(inner, 3, MAX_FHIR_BYTES)
        assert repr(limit) == f"Limit({inner!r}, 3, {MAX_FHIR_BYTES})"


@pytest.fixture(scope="module")
def document(served: Served) -> dict[str, Any]:
    """The OpenAPI document, as the service serves it."""
    answer = call(served, "GET", "/openapi.json")
    assert answer.status == 200
    found: dict[str, Any] = answer.json()
    return found


class TestOpenAPI:
    """/openapi.json is valid OpenAPI 3.1, and what the service answers matches it."""

    def _validator(self, document: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
        resource = referencing.Resource.from_contents(
            document, default_specification=referencing.jsonschema.DRAFT202012
        )
        registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            "urn:api", resource
        )
        schema = {"$ref": f"urn:api#/components/schemas/{name}"}
        return jsonschema.Draft202012Validator(schema, registry=registry)

    def test_valid(self, document: dict[str, Any]) -> None:
        validate_openapi(document)
        assert document["openapi"] == "3.1.0"

    def test_every_route_documented(self, document: dict[str, Any], served: Served) -> None:
        """Each endpoint the app routes is in the document, and no other."""
        del served
        routed = {route.path for route in create_app().routes}  # type: ignore[attr-defined]
        assert set(document["paths"]) == routed

    def test_decisions_match(self, document: dict[str, Any], served: Served) -> None:
        """Every example's decision, with and without the trail, is valid by the document."""
        validator = self._validator(document, "Decision")
        for example in EXAMPLES:
            for query in ("", "?trail=false"):
                validator.validate(
                    post_json(served, f"/decide{query}", example.read_bytes()).json()
                )

    def test_errors_match(self, document: dict[str, Any], served: Served) -> None:
        validator = self._validator(document, "Errors")
        validator.validate(post_json(served, "/decide", b"{").json())
        validator.validate(post_json(served, "/decide", {"date": 1}).json())

    def test_examples_match(self, document: dict[str, Any]) -> None:
        """The documented request example is a valid request, and decides as documented."""
        content = document["paths"]["/decide"]["post"]["requestBody"]["content"]["application/json"]
        self._validator(document, "Request").validate(content["example"])
        decided = json.loads(to_json(evaluate(content["example"])))
        documented = document["paths"]["/decide"]["post"]["responses"]["200"]["content"]
        assert documented["application/json"]["example"]["outcome"] == decided["outcome"]


class TestComponents:
    """Schemas share components/schemas: a name two schemas define differently is split."""

    def test_equal_definitions_are_shared(self) -> None:
        components: dict[str, Any] = {}
        unit = {"type": "string"}
        add_schema(
            {"title": "A", "$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/U"}, "U": unit}},
            components,
        )
        add_schema(
            {"title": "B", "$ref": "#/$defs/B", "$defs": {"B": {"$ref": "#/$defs/U"}, "U": unit}},
            components,
        )
        assert components == {
            "A": {"$ref": "#/components/schemas/U"},
            "B": {"$ref": "#/components/schemas/U"},
            "U": unit,
        }

    def test_a_clash_renames_it_and_what_refers_to_it(self) -> None:
        """B's Q differs from A's: B gets BQ, and B's W, which refers to it, BW."""
        components: dict[str, Any] = {}
        first = {"Q": {"type": "string"}, "W": {"items": [{"$ref": "#/$defs/Q"}]}}
        second = {"Q": {"type": "number"}, "W": {"items": [{"$ref": "#/$defs/Q"}]}}
        add_schema({"title": "A", "$ref": "#/$defs/W", "$defs": first}, components)
        root = add_schema({"title": "B", "$ref": "#/$defs/W", "$defs": second}, components)
        assert root == "BW"
        assert components["BW"] == {"items": [{"$ref": "#/components/schemas/BQ"}]}
        assert components["W"] == {"items": [{"$ref": "#/components/schemas/Q"}]}
        assert components["BQ"] == {"type": "number"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class TestCommand:
    """umpolicy serve listens where asked, links CRD cards to --docs-base, stops on SIGTERM."""

    def test_serves_and_stops(self) -> None:
        port = _free_port()
        seen: list[int] = []
        answers: list[int] = []
        links: list[str] = []

        def caught(signum: int, _: FrameType | None) -> None:
            seen.append(signum)

        def client() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    answers.append(call(Served(port), "GET", "/readyz").status)
                    hook = fhir_json(hook_from_request(parse_request(APPROVE.read_text())))
                    crd = post_json(
                        Served(port), "/cds-services/proleukin-order-sign", hook.encode()
                    )
                    links.extend(link["url"] for link in crd.json()["cards"][0]["links"])
                    break
                except OSError:
                    time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGTERM)  # to the main thread, where uvicorn listens

        previous = signal.signal(signal.SIGTERM, caught)
        try:
            thread = threading.Thread(target=client)
            thread.start()
            status = main(
                ["serve", "--port", str(port), "--docs-base", "https://plan.example/umpolicy/"],
                out=io.StringIO(),
            )
            thread.join(10)
        finally:
            signal.signal(signal.SIGTERM, previous)
        assert status == 0
        assert answers == [200]
        assert links == ["https://plan.example/umpolicy/policies/proleukin/"]
        assert seen == [signal.SIGTERM]  # handed back to the handler that was there before

    def test_a_port_in_use(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A port another server holds: exit 1, as for anything else gone wrong (not 3)."""
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            assert main(["serve", "--port", str(port)], out=io.StringIO()) == 1
        assert f"umpolicy: cannot serve on 127.0.0.1:{port}" in capsys.readouterr().err

    def test_a_stop_that_is_no_failure_passes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from umpolicy.integrations.service import server

        monkeypatch.setattr(server, "serve", lambda *_, **__: sys.exit(0))
        with pytest.raises(SystemExit):
            main(["serve"], out=io.StringIO())

    def test_without_the_extra(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without umpolicy[serve] installed, serve says what to install, exit 1."""
        monkeypatch.delitem(sys.modules, "umpolicy.integrations.service.server")
        monkeypatch.setitem(sys.modules, "uvicorn", None)
        assert main(["serve"]) == 1
        assert "pip install 'umpolicy[serve]'" in capsys.readouterr().err

    def test_another_missing_module_is_a_bug(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A module missing from umpolicy itself is not blamed on the extra."""
        monkeypatch.setitem(sys.modules, "umpolicy.integrations.service.server", None)
        with pytest.raises(ModuleNotFoundError):
            main(["serve"])

    def test_the_stack_is_imported_only_to_serve(self) -> None:
        """Importing umpolicy, its API or its command line never loads Starlette or uvicorn."""
        stack = "('starlette', 'uvicorn', 'anyio')"
        code = (
            "import sys, umpolicy, umpolicy.cli, umpolicy.api;"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {stack}))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == "[]"
