"""The fake Bot API moved to testkit.fakebotapi, where the benchmarks can import it too; this
name stays while branches written against it are merged. New code imports from testkit."""

from testkit.fakebotapi import *  # noqa: F403
