"""The policy language: nodes, checks, exact quantities and units, value sets, questions."""
