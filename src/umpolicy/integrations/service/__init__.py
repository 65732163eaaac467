"""``umpolicy serve``: the decision service over HTTP (the ``umpolicy[serve]`` extra).

:mod:`~umpolicy.integrations.service.app` builds the ASGI application (Starlette):
the JSON decision endpoint, health and readiness, the OpenAPI document of
:mod:`~umpolicy.integrations.service.openapi`, and the FHIR endpoints (CDS Hooks,
PAS, DTR) over :mod:`umpolicy.integrations.fhir`.
:mod:`~umpolicy.integrations.service.server` runs it under uvicorn. Nothing here is
imported by ``import umpolicy``: the server stack loads only when serving.
"""
