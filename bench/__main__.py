"""python -m bench [--full] [--only NAME ...]: runs the benchmarks, writes them down."""

from __future__ import annotations

import argparse
import importlib

from bench.report import Section, write

BENCHMARKS = ("turns", "webhook", "dispatch", "memory", "startup")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="the full sizes (slow)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--no-write", action="store_true", help="print only")
    arguments = parser.parse_args()
    sections: list[Section] = []
    for name in arguments.only:
        module = importlib.import_module(f"bench.{name}")
        sections.append(module.run(full=arguments.full))
    if not arguments.no_write:
        write(sections)


if __name__ == "__main__":
    main()
