"""Benchmarks: speed, capacity and memory, each against a baseline run beside it.

Not tests: they measure and write the figures down (docs/benchmarks.md); no
test asserts a time. Run: python -m bench (quick) or python -m bench --full.
"""
