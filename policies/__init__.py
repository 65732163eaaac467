"""Reference policies shipped with umpolicy, one module per drug.

The wheel installs this folder as ``umpolicy_policies``.
"""
