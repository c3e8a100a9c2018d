"""python -m bench [--full | --smoke] [--only NAME ...]: runs the benchmarks, writes them
down (--smoke: every benchmark at tiny sizes, written nowhere; CI runs it so that a broken
benchmark fails)."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench.report import Section, write

BENCHMARKS = ("turns", "webhook", "burst", "dispatch", "memory", "startup", "chart")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--full", action="store_true", help="the full sizes (slow)")
    sizes.add_argument(
        "--smoke", action="store_true", help="tiny sizes, nothing written: does each run?"
    )
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--no-write", action="store_true", help="print only")
    arguments = parser.parse_args()
    sections: list[Section] = []
    for name in arguments.only:
        module = importlib.import_module(f"bench.{name}")
        began = time.monotonic()
        if arguments.smoke:
            sections.append(module.run(full=False, smoke=True))
        else:
            sections.append(module.run(full=arguments.full))
        print(f"bench: {name} took {time.monotonic() - began:.0f} s", file=sys.stderr)
    if not arguments.no_write and not arguments.smoke:
        write(sections)


if __name__ == "__main__":
    main()
