"""Run the service under uvicorn: what ``umpolicy serve`` does.

The limits here are the server's, in front of the application's own (the body size,
the requests under way: :data:`~umpolicy.integrations.service.app.LIMIT_CONCURRENCY`):
at most :data:`LIMIT_CONNECTIONS` connections at once (uvicorn answers 503 past it), idle
keep-alive connections closed after :data:`KEEP_ALIVE` seconds, and on SIGINT or
SIGTERM a graceful stop that lets requests under way finish for up to
:data:`GRACEFUL` seconds.
"""

from __future__ import annotations

import uvicorn

from umpolicy.integrations.fhir.crd import DOCS_BASE

from .app import create_app

# --8<-- [start:limits]  (docs/service.md shows these lines as they are)
#: The most connections (and requests) the server holds at once; past it uvicorn itself
#: answers 503, in plain text: a backstop against a flood of connections, well above the
#: application's own limit on requests under way, which answers in the endpoint's shape.
LIMIT_CONNECTIONS = 1000
#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE = 5
#: Seconds a graceful stop waits for requests under way.
GRACEFUL = 10
# --8<-- [end:limits]


def config(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    docs_base: str | None = None,
    access_log: bool = True,
) -> uvicorn.Config:
    """The uvicorn configuration of the service on ``host``:``port`` (its app built now).

    ``docs_base`` is where the policies' pages are published (CRD cards link to them;
    :data:`~umpolicy.integrations.fhir.crd.DOCS_BASE` unless given).
    """
    return uvicorn.Config(
        create_app(docs_base=docs_base or DOCS_BASE),
        host=host,
        port=port,
        lifespan="off",
        access_log=access_log,
        limit_concurrency=LIMIT_CONNECTIONS,
        timeout_keep_alive=KEEP_ALIVE,
        timeout_graceful_shutdown=GRACEFUL,
        server_header=False,
    )


def serve(host: str = "127.0.0.1", port: int = 8000, *, docs_base: str | None = None) -> None:
    """Serve until SIGINT or SIGTERM (a graceful stop)."""
    uvicorn.Server(config(host, port, docs_base=docs_base)).run()


__all__ = ["GRACEFUL", "KEEP_ALIVE", "LIMIT_CONNECTIONS", "config", "serve"]
