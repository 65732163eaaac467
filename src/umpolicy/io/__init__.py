"""In and out: the one converter, request validation, JSON Schemas."""
