"""Bulk reconciliation: large statements read, validated and matched by a columnar engine (DuckDB).

The pure functions in `matching` and the Python parsers remain the specification; this package computes
the same lines and the same matches for the common large case, and hands anything it cannot vouch for
back to them (see docs/reconciliation.md, "Large statements").
"""
