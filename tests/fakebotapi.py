"""The fake Bot API now lives in `testkit.fakebotapi`, where the benchmarks can import it too.

This name stays while branches written against it are merged; new code imports from testkit.
"""

from testkit.fakebotapi import (
    DEFAULT_TOKEN,
    STRING_FIELDS,
    ApiError,
    Call,
    FakeBotApi,
    UploadedFile,
)

__all__ = ["DEFAULT_TOKEN", "STRING_FIELDS", "ApiError", "Call", "FakeBotApi", "UploadedFile"]
