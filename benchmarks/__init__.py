"""The benchmark: figures against a hand-written floor, not a test (``nox -s bench``)."""
