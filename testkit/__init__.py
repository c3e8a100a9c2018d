"""Test doubles and process plumbing that the tests and the benchmarks share.

Not shipped in the wheel (pyproject's package list leaves it out); importable from a
checkout, where pytest and `python -m bench` run.
"""
