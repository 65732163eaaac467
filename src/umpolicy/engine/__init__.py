"""The engine: read a request's facts, evaluate a policy tree, decide."""
