"""Integrations: umpolicy spoken in the formats a plan's systems already exchange.

Each integration is a thin layer over the engine: it turns an outside format into the
shared request vocabulary (:class:`umpolicy.Request`) and a decision back into the
outside format's answer. None is imported by ``import umpolicy``; each is imported on
use, so the engine stays quick to load.
"""
