"""Quellimab: a FICTIONAL teaching policy for umpolicy (no such drug exists).

The policy lives in :mod:`umpolicy_quellimab.policy` and is registered with umpolicy
under the ``umpolicy.policies`` entry point as ``quellimab``; load it with
``umpolicy.load_policy("quellimab")``.
"""
