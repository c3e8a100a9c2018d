"""A faithful, stdlib-only fake of the Telegram Bot API server for end-to-end tests.

The real bot process talks to it over loopback HTTP exactly like it would talk to a self-hosted
Bot API server: ``POST {api.url}/bot<token>/<method>``. Tests inject user updates (which the bot
fetches with ``getUpdates``) and assert on the recorded calls::

    with FakeBotApi() as api:
        start_bot(env={"TELEGRAM_API_URL": api.url, "TELEGRAM_BOT_TOKEN": api.token})
        api.send_text(42, "/start")
        (menu,) = api.wait_for_messages(42, 1)
        api.press_label(42, menu, "Next")

What python-telegram-bot (PTB) 22 puts on the wire, and how this module reads it:

* Every method is a ``POST``. Without files the body is ``application/x-www-form-urlencoded``;
  with files it is ``multipart/form-data`` (file parts carry a ``filename``). An empty parameter
  set is sent as an empty body with no content type.
* Every value is a *string*: ``str`` values are sent verbatim, everything else is JSON-encoded
  (``123``, ``true``, ``{"inline_keyboard": ...}``, ``["message"]``). Telegram decodes each field
  according to its declared type; this fake does the same with a list of string-typed fields
  (:data:`STRING_FIELDS`) and ``json.loads`` for everything else, so ``call.params`` holds ints,
  bools, dicts and lists, while ``text``/``caption``/... stay strings even if they look like
  numbers.
* ``None`` values are never sent; ``datetime`` is sent as a Unix timestamp and ``timedelta``
  as whole seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import re
import select
import socket
import sys
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "DEFAULT_TOKEN",
    "STRING_FIELDS",
    "ApiError",
    "Call",
    "FakeBotApi",
    "UploadedFile",
]

DEFAULT_TOKEN = "123456:fake-bot-api-test-token"

#: Parameters whose value is a string in the Bot API and must not be JSON-decoded. The input
#: media fields (document, photo, ...) hold a file_id / URL, "attach://<part>" or an upload.
# fmt: off
STRING_FIELDS = frozenset({
    "action", "address", "business_connection_id", "callback_query_id", "caption",
    "certificate", "currency", "custom_emoji_id", "description", "emoji", "explanation",
    "file_id", "first_name", "foursquare_id", "foursquare_type", "google_place_id",
    "google_place_type", "inline_message_id", "inline_query_id", "ip_address",
    "language_code", "last_name", "message_effect_id", "name", "next_offset", "parse_mode",
    "payload", "phone_number", "provider_token", "question", "secret_token",
    "short_description", "start_parameter", "sticker_set_name", "text", "title", "url",
    "vcard", "animation", "audio", "document", "photo", "sticker", "thumbnail", "video",
    "video_note", "voice"
})
# fmt: on

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_LONG_POLL_SECONDS = 50.0

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
TERMINATED_BY_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)

#: Update types Telegram only sends when they are listed in ``allowed_updates`` explicitly.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# fmt: off
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note"
})
# fmt: on

INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_LEADING_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_API_PATH = re.compile(r"/bot(?P<token>[^/]*)/(?P<method>[^/]*)/?")


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a ``multipart/form-data`` request."""

    field: str
    filename: str | None
    content: bytes
    content_type: str | None

    def __repr__(self) -> str:
        return (
            f"UploadedFile(field={self.field!r}, filename={self.filename!r}, "
            f"{len(self.content)} bytes, content_type={self.content_type!r})"
        )


@dataclass(frozen=True)
class Call:
    """One HTTP call the bot made to the fake Bot API.

    ``method`` is the canonical Bot API spelling (``sendMessage``) whatever case the client used.
    ``params`` are decoded (see module docstring); uploaded files appear there as
    :class:`UploadedFile` (``attach://`` references are resolved). ``status`` is the HTTP status
    that was answered; ``0`` means the connection was dropped on purpose (``response`` then holds
    the lost answer, if the call was applied) and ``499`` that the client went away during a long
    poll. ``response`` is the JSON answer.
    """

    method: str
    params: dict[str, Any]
    at: float
    status: int
    response: dict[str, Any] | None = None
    files: dict[str, UploadedFile] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    http_method: str = "POST"

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (e.g. the Message dict), else ``None``."""
        return (self.response or {}).get("result")

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")

    def summary(self, width: int = 160) -> str:
        shown = {
            k: (v if not isinstance(v, UploadedFile) else repr(v)) for k, v in self.params.items()
        }
        text = json.dumps(shown, ensure_ascii=False, default=str)
        if len(text) > width:
            text = text[: width - 3] + "..."
        tail = f" -> {self.description}" if self.description and not self.ok else ""
        return f"{self.method} [{self.status}] {text}{tail}"


class ApiError(Exception):
    """Raise from a method handler (also custom ones, see :meth:`FakeBotApi.register`) to answer
    ``{"ok": false, "error_code": status, "description": description, ...}``."""

    def __init__(
        self, status: int, description: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = dict(parameters) if parameters else None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# Internal state records
# --------------------------------------------------------------------------------------------


@dataclass
class _Fault:
    kind: str  # "fail" | "delay" | "drop"
    times: int
    status: int = 0
    description: str = ""
    parameters: dict[str, Any] | None = None
    seconds: float = 0.0
    applied: bool = False


@dataclass
class _Queued:
    update: dict[str, Any]
    forced: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((k for k in self.update if k != "update_id"), "")


@dataclass
class _Stored:
    message: dict[str, Any]
    by_bot: bool
    deleted: bool = False


@dataclass
class _RequestContext:
    connection: socket.socket | None

    def client_gone(self) -> bool:
        """True when the peer has closed its end of the connection (e.g. a client timeout)."""
        sock = self.connection
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            return sock.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True


class _ClientGoneError(Exception):
    pass


_DROP = object()


# --------------------------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------------------------


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _decode_value(name, value) for name, value in raw.items()}


_HTML5_ESCAPES = re.compile(r"%(?:22|[01][0-9A-Fa-f])")


def _unquote_disposition_value(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
        # httpx (and browsers) percent-encode '"' and control characters in quoted names.
        value = _HTML5_ESCAPES.sub(lambda m: chr(int(m.group(0)[1:], 16)), value)
    return value


def _parse_disposition(header: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in re.finditer(r';\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', header):
        key = match.group(1).lower()
        value = match.group(2)
        if key.endswith("*"):  # RFC 5987: filename*=UTF-8''na%C3%AFve.txt
            charset, _, rest = value.strip().partition("'")
            _, _, encoded = rest.partition("'")
            params[key[:-1]] = unquote(encoded, encoding=charset or "utf-8")
        elif key not in params:
            params[key] = _unquote_disposition_value(value)
    return params


def _parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    match = re.search(r'boundary=("?)([^";]+)\1', content_type)
    if not match:
        raise _bad_request("multipart boundary is missing")
    delimiter = b"\r\n--" + match.group(2).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    chunks = (b"\r\n" + body).split(delimiter)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        part = chunk.lstrip(b" \t")
        if not part.startswith(b"\r\n"):
            raise _bad_request("malformed multipart body")
        part = part[2:]
        if part.startswith(b"\r\n"):
            head, content = b"", part[2:]
        else:
            head, sep, content = part.partition(b"\r\n\r\n")
            if not sep:
                raise _bad_request("malformed multipart body")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            name, _, value = line.decode("utf-8", "replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = _parse_disposition(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition:
            files[name] = UploadedFile(
                field=name,
                filename=disposition["filename"] or None,
                content=content,
                content_type=headers.get("content-type"),
            )
        else:
            fields[name] = content.decode("utf-8", "replace")
    return fields, files


# --------------------------------------------------------------------------------------------
# Formatting: HTML / MarkdownV2 / Markdown, modelled on Telegram's behaviour (tdlib)
# --------------------------------------------------------------------------------------------

_SPACE = " \t\r\n\v\f\0"
_ENTITY_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}
# fmt: off
_HTML_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
    "span", "pre", "code", "blockquote"
})
# fmt: on
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entities_error(message: str) -> ApiError:
    return _bad_request(f"can't parse entities: {message}")


def _checked_link(url: str) -> str:
    """A rough version of Telegram's link normalisation: '' means "not a valid link"."""
    url = url.strip()
    if not url or any(c in url for c in _SPACE):
        return ""
    scheme, sep, rest = url.partition(":")
    if (
        not sep
        or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)
        or (scheme.lower() not in {"http", "https", "tg", "ton", "ftp"} and "." in scheme)
    ):
        url, scheme, rest = "http://" + url, "http", "//" + url
    scheme = scheme.lower()
    if scheme not in {"http", "https", "tg", "ton", "ftp"}:
        return ""
    if scheme in {"http", "https"} and rest.startswith("//"):
        host_and_path = rest[2:]
        if not host_and_path:
            return ""
        if not re.search(r"[/?#]", host_and_path):
            host_and_path += "/"
        return f"{scheme}://{host_and_path}"
    return f"{scheme}:{rest}"


class _TextBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.u16 = 0

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.u16 += utf16_len(chunk)

    def text(self) -> str:
        return "".join(self.parts)


def _decode_html_entity(src: str, pos: int) -> tuple[str | None, int]:
    end = pos + 1
    n = len(src)
    if end < n and src[end] == "#":
        end += 1
        code = 0
        if end < n and src[end] == "x":
            end += 1
            while end < n and src[end] in "0123456789abcdefABCDEF":
                code = code * 16 + int(src[end], 16)
                end += 1
        else:
            while end < n and src[end].isascii() and src[end].isdigit():
                code = code * 10 + int(src[end])
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None, pos
        char = chr(code)
    else:
        while end < n and src[end].isascii() and src[end].isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(src[pos + 1 : end])
        if named is None:
            return None, pos
        char = named
    if end < n and src[end] == ";":
        end += 1
    return char, end


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _TextBuilder()
    entities: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    n = len(src)
    i = 0

    def at(k: int) -> str:
        return src[k] if k < n else "\0"

    while i < n:
        c = src[i]
        if c == "&":
            char, end = _decode_html_entity(src, i)
            if char is not None:
                out.add(char)
                i = end
                continue
        if c != "<":
            out.add(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":
            while i < n and src[i] not in _SPACE and src[i] != ">":
                i += 1
            if i >= n:
                raise _entities_error(
                    f"Unclosed start tag at byte offset {_byte_offset(src, begin)}"
                )
            tag = src[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise _entities_error(
                    f'Unsupported start tag "{tag}" at byte offset {_byte_offset(src, begin)}'
                )
            argument = ""
            expandable = False
            while at(i) != ">":
                while i < n and src[i] in _SPACE:
                    i += 1
                if i >= n:
                    raise _entities_error(
                        f"Unclosed start tag at byte offset {_byte_offset(src, begin)}"
                    )
                if src[i] == ">":
                    break
                attr_begin = i
                while i < n and src[i] not in _SPACE and src[i] not in "=>":
                    i += 1
                attr = src[attr_begin:i]
                if not attr:
                    raise _entities_error(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{_byte_offset(src, begin)}"
                    )
                while i < n and src[i] in _SPACE:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr.lower() == "expandable":
                        expandable = True
                        continue
                    raise _entities_error(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {_byte_offset(src, begin)}'
                    )
                i += 1
                while i < n and src[i] in _SPACE:
                    i += 1
                if i >= n:
                    raise _entities_error(
                        f'Unclosed start tag "{tag}" at byte offset {_byte_offset(src, begin)}'
                    )
                if src[i] not in "'\"":
                    token_begin = i
                    while i < n and ((src[i].isascii() and src[i].isalnum()) or src[i] in ".-"):
                        i += 1
                    value = src[token_begin:i].lower()
                    if (at(i) not in _SPACE and at(i) != ">") or i >= n:
                        raise _entities_error(
                            "Unexpected end of name token at byte offset "
                            f"{_byte_offset(src, token_begin)}"
                        )
                else:
                    quote = src[i]
                    i += 1
                    chars: list[str] = []
                    while i < n and src[i] != quote:
                        if src[i] == "&":
                            char, end = _decode_html_entity(src, i)
                            if char is not None:
                                chars.append(char)
                                i = end
                                continue
                        chars.append(src[i])
                        i += 1
                    if i < n:
                        i += 1
                    value = "".join(chars)
                if i >= n:
                    raise _entities_error(
                        f"Unclosed start tag at byte offset {_byte_offset(src, begin)}"
                    )
                attr = attr.lower()
                if (tag == "a" and attr == "href") or (tag == "tg-emoji" and attr == "emoji-id"):
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
            if tag == "span" and argument != "spoiler":
                raise _entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(src, begin)}"
                )
            stack.append(
                {
                    "tag": tag,
                    "argument": argument,
                    "expandable": expandable,
                    "offset": out.u16,
                    "text_at": len(out.parts),
                }
            )
            i += 1  # skip '>'
            continue

        # end tag
        if not stack:
            raise _entities_error(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
        while i < n and src[i] not in _SPACE and src[i] != ">":
            i += 1
        end_tag = src[begin + 2 : i].lower()
        while i < n and src[i] in _SPACE:
            i += 1
        if at(i) != ">":
            raise _entities_error(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
        top = stack[-1]
        tag = top["tag"]
        if end_tag and end_tag != tag:
            raise _entities_error(
                f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                f'expected "</{tag}>", found "</{end_tag}>"'
            )
        offset = top["offset"]
        length = out.u16 - offset
        if length > 0:
            if tag in _HTML_SIMPLE:
                entities.append({"type": _HTML_SIMPLE[tag], "offset": offset, "length": length})
            elif tag == "tg-emoji":
                if not top["argument"].isdigit() or int(top["argument"]) == 0:
                    raise _bad_request("Invalid custom emoji identifier specified")
                entities.append(
                    {
                        "type": "custom_emoji",
                        "offset": offset,
                        "length": length,
                        "custom_emoji_id": top["argument"],
                    }
                )
            elif tag == "a":
                url = top["argument"] or "".join(out.parts[top["text_at"] :])
                checked = _checked_link(url)
                if checked:
                    entities.append(
                        {"type": "text_link", "offset": offset, "length": length, "url": checked}
                    )
            elif tag == "pre":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "code"
                    and (last["offset"], last["length"]) == (offset, length)
                    and last.get("_language")
                ):
                    entities[-1] = {
                        "type": "pre",
                        "offset": offset,
                        "length": length,
                        "language": last["_language"],
                    }
                else:
                    entities.append({"type": "pre", "offset": offset, "length": length})
            elif tag == "code":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "pre"
                    and (last["offset"], last["length"]) == (offset, length)
                    and top["argument"]
                ):
                    last["language"] = top["argument"]
                else:
                    entity = {"type": "code", "offset": offset, "length": length}
                    if top["argument"]:
                        entity["_language"] = top["argument"]
                    entities.append(entity)
            elif tag == "blockquote":
                kind = "expandable_blockquote" if top["expandable"] else "blockquote"
                entities.append({"type": kind, "offset": offset, "length": length})
        stack.pop()
        i += 1
    if stack:
        raise _entities_error(f"Can't find end tag corresponding to start tag {stack[-1]['tag']}")
    for entity in entities:
        entity.pop("_language", None)
    return out.text(), entities


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _TextBuilder()
    entities: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    have_blockquote = False
    n = len(src)
    i = 0

    def at(k: int) -> str:
        return src[k] if k < n else "\0"

    def reserved_error(char: str) -> ApiError:
        return _entities_error(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )

    def read_url() -> tuple[str, int]:
        nonlocal i
        url_begin = i
        chars: list[str] = []
        while i < n and src[i] != ")":
            if src[i] == "\\" and 0 < ord(at(i + 1)) <= 126:
                chars.append(src[i + 1])
                i += 2
                continue
            chars.append(src[i])
            i += 1
        return "".join(chars), url_begin

    while i < n:
        c = src[i]
        if c == "\\" and 0 < ord(at(i + 1)) <= 126:
            i += 1
            out.add(src[i])
            i += 1
            continue
        reserved = "_*[]()~`>#+-=|{}.!\n"
        if stack and stack[-1]["type"] in {"code", "pre", "pre_code"}:
            reserved = "`"
        if c not in reserved:
            out.add(c)
            i += 1
            continue

        is_end = False
        if stack:
            kind = stack[-1]["type"]
            if have_blockquote and c == "\n" and at(i + 1) != ">":
                is_end = True
            else:
                is_end = {
                    "bold": c == "*",
                    "italic": c == "_" and at(i + 1) != "_",
                    "code": c == "`",
                    "pre": c == "`" and at(i + 1) == "`" and at(i + 2) == "`",
                    "pre_code": c == "`" and at(i + 1) == "`" and at(i + 2) == "`",
                    "text_link": c == "]",
                    "underline": c == "_" and at(i + 1) == "_",
                    "strikethrough": c == "~",
                    "spoiler": c == "|" and at(i + 1) == "|",
                    "custom_emoji": c == "]",
                    "blockquote": False,
                }[kind]

        if not is_end:
            begin = i
            argument = ""
            kind = ""
            if c == "_":
                if at(i + 1) == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|":
                if at(i + 1) != "|":
                    raise reserved_error(c)
                i += 1
                kind = "spoiler"
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                if at(i + 1) == "`" and at(i + 2) == "`":
                    i += 3
                    kind = "pre"
                    language_end = i
                    while at(language_end) not in _SPACE and at(language_end) != "`":
                        language_end += 1
                    if i != language_end and language_end < n and src[language_end] != "`":
                        kind = "pre_code"
                        argument = src[i:language_end]
                        i = language_end
                    if at(i) in "\r\n" and at(i) != "\0":
                        if at(i + 1) in "\r\n" and at(i + 1) != "\0" and at(i) != at(i + 1):
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    kind = "code"
            elif c == "!":
                if at(i + 1) != "[":
                    raise reserved_error(c)
                i += 1
                kind = "custom_emoji"
            elif c == "\n":
                out.add("\n")
                if at(i + 1) == ">":
                    i += 1
                    if not have_blockquote:
                        kind = "blockquote"
                        have_blockquote = True
            elif c == ">":
                if i != 0:
                    raise reserved_error(c)
                kind = "blockquote"
                have_blockquote = True
            else:
                raise reserved_error(c)
            if kind:
                stack.append(
                    {
                        "type": kind,
                        "argument": argument,
                        "offset": out.u16,
                        "byte": _byte_offset(src, begin),
                        "text_at": len(out.parts),
                    }
                )
            i += 1
            continue

        top = stack[-1]
        kind = top["type"]
        if c == "\n" and kind != "blockquote":
            raise _entities_error(
                f"Can't find end of {_MD_NAMES[kind]} entity at byte offset {top['byte']}"
            )
        skip = out.u16 == top["offset"]
        extra: dict[str, Any] = {}
        if kind in {"underline", "spoiler"}:
            i += 1
        elif kind in {"pre", "pre_code"}:
            i += 2
            if kind == "pre_code":
                extra["language"] = top["argument"]
        elif kind == "text_link":
            if at(i + 1) != "(":
                url = "".join(out.parts[top["text_at"] :])
            else:
                i += 2
                url, url_begin = read_url()
                if at(i) != ")":
                    raise _entities_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(src, url_begin)}"
                    )
            checked = _checked_link(url)
            if checked:
                extra["url"] = checked
            else:
                skip = True
        elif kind == "custom_emoji":
            if at(i + 1) != "(":
                raise _bad_request("Custom emoji entity must contain a tg://emoji URL")
            i += 2
            url, url_begin = read_url()
            if at(i) != ")":
                raise _entities_error(
                    "Can't find end of a custom emoji URL at byte offset "
                    f"{_byte_offset(src, url_begin)}"
                )
            match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
            if not match:
                raise _bad_request("Invalid custom emoji URL specified")
            extra["custom_emoji_id"] = match.group(1)
        elif kind == "blockquote":
            have_blockquote = False
            out.add(c)
        if not skip:
            api_type = "pre" if kind == "pre_code" else kind
            entities.append(
                {"type": api_type, "offset": top["offset"], "length": out.u16 - top["offset"]}
                | extra
            )
        stack.pop()
        i += 1

    if have_blockquote and stack and stack[-1]["type"] == "blockquote":
        top = stack.pop()
        if out.u16 != top["offset"]:
            entities.append(
                {"type": "blockquote", "offset": top["offset"], "length": out.u16 - top["offset"]}
            )
    if stack:
        top = stack[-1]
        raise _entities_error(
            f"Can't find end of {_MD_NAMES[top['type']]} entity at byte offset {top['byte']}"
        )
    return out.text(), entities


def _parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _TextBuilder()
    entities: list[dict[str, Any]] = []
    n = len(src)
    i = 0

    def at(k: int) -> str:
        return src[k] if k < n else "\0"

    while i < n:
        c = src[i]
        if c == "\\" and at(i + 1) in "_*`[" and at(i + 1) != "\0":
            out.add(src[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and at(i) == "`" and at(i + 1) == "`":
            i += 2
            is_pre = True
            language_end = i
            while at(language_end) not in _SPACE and at(language_end) != "`":
                language_end += 1
            if i != language_end and language_end < n and src[language_end] != "`":
                language = src[i:language_end]
                i = language_end
            if at(i) in "\r\n" and at(i) != "\0":
                if at(i + 1) in "\r\n" and at(i + 1) != "\0" and at(i) != at(i + 1):
                    i += 2
                else:
                    i += 1
        offset = out.u16
        while i < n and (
            src[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))
        ):
            out.add(src[i])
            i += 1
        if i >= n:
            raise _entities_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(src, begin)}"
            )
        length = out.u16 - offset
        if length:
            if c == "_":
                entities.append({"type": "italic", "offset": offset, "length": length})
            elif c == "*":
                entities.append({"type": "bold", "offset": offset, "length": length})
            elif c == "[":
                if at(i + 1) != "(":
                    url = src[begin + 1 : i]
                else:
                    i += 2
                    url_begin = i
                    while i < n and src[i] != ")":
                        i += 1
                    url = src[url_begin:i]
                checked = _checked_link(url)
                if checked:
                    entities.append(
                        {"type": "text_link", "offset": offset, "length": length, "url": checked}
                    )
            elif is_pre:
                entity = {"type": "pre", "offset": offset, "length": length}
                if language:
                    entity["language"] = language
                entities.append(entity)
            else:
                entities.append({"type": "code", "offset": offset, "length": length})
        if is_pre:
            i += 2
        i += 1
    return out.text(), entities


def _sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        entities,
        key=lambda e: (e["offset"], -e["length"], _ENTITY_PRIORITY.get(e["type"], 50)),
    )


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace from message texts and captions."""
    stripped = text.strip(" \t\r\n\v\f")
    if stripped == text:
        return text, entities
    start = utf16_len(text[: len(text) - len(text.lstrip(" \t\r\n\v\f"))])
    end = start + utf16_len(stripped)
    kept = []
    for entity in entities:
        lo = max(entity["offset"], start)
        hi = min(entity["offset"] + entity["length"], end)
        if hi > lo:
            kept.append(entity | {"offset": lo - start, "length": hi - lo})
    return stripped, kept


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # PTB pools up to 256 connections; the default backlog is 5

    def __init__(self, api: FakeBotApi, host: str, port: int) -> None:
        self.api = api
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"fakebotapi-conn-{client_address[1]}",
            daemon=True,
        )
        self.api._track_thread(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # client went away: normal for timeouts and drops
            return
        self.api._server_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeTelegramBotApi/1.0"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.api._connection_opened(self.connection)

    def finish(self) -> None:
        try:
            with contextlib.suppress(OSError):
                super().finish()
        finally:
            self.server.api._connection_closed(self.connection)

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            self.close_connection = True

    def do_GET(self) -> None:
        self.server.api._serve(self)

    def do_POST(self) -> None:
        self.server.api._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537).split(b";", 1)[0].strip()
                size = int(size_line or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(self, status: int, payload: Mapping[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.server.api._closing:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

Handler = Callable[[dict[str, Any], _RequestContext], Any]


class FakeBotApi:
    """A fake Telegram Bot API server on ``127.0.0.1`` (random free port).

    Thread-safe: the HTTP server answers on its own threads while the test thread injects
    updates and inspects calls. All state is guarded by one re-entrant condition, which is
    notified on every change, so :meth:`wait_for` wakes up as soon as something happens.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "mentor_coach_test_bot",
        bot_first_name: str = "Mentor Coach",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.host = host
        self._port = port
        self._clock = clock
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456789,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._cond = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._closing = False
        self._conn_threads: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        self._busy: set[socket.socket] = set()
        self._server_errors: list[str] = []

        self._calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._latency = 0.0
        self._custom: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {}

        self._queue: list[_Queued] = []
        self._update_ids = itertools.count(100_000_001)
        self._callback_ids = itertools.count(4_700_000_000_000_000_001)
        self._file_counter = itertools.count(1)
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._active_polls = 0
        self._webhook: dict[str, Any] = {"url": ""}

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._blocked: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], _Stored] = {}
        self._bot_message_order: dict[int, list[int]] = {}
        self._callbacks: dict[str, dict[str, Any] | None] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._uploads: dict[str, UploadedFile] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

        self._methods: dict[str, tuple[str, Handler]] = {}
        for name, handler in {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._return_true,
            "close": self._return_true,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "setMyDescription": self._return_true,
            "setMyShortDescription": self._return_true,
            "setMyName": self._return_true,
            "setChatMenuButton": self._return_true,
        }.items():
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotApi:
        """Start serving. After :meth:`stop` this restarts on the same port with all state kept
        (simulating a Telegram outage: the bot sees connection errors in between)."""
        if self._server is not None:
            raise RuntimeError("FakeBotApi already started")
        self._closing = False
        self._server = _Server(self, self.host, self._port)
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fakebotapi-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving: wake long polls and delays, close open connections, join threads."""
        server = self._server
        if server is None:
            return
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        server.shutdown()
        deadline = time.monotonic() + timeout
        with self._cond:
            # Requests in flight finish promptly (long polls and delays wake up on _closing);
            # let them write their answers, then hang up on idle keep-alive connections.
            self._cond.wait_for(lambda: not self._busy, max(0.0, deadline - time.monotonic()))
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        with self._cond:
            threads = list(self._conn_threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        server.server_close()
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.stop()
        if exc_type is None and self._server_errors:
            raise AssertionError(
                "FakeBotApi crashed while serving:\n" + "\n".join(self._server_errors)
            )

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FakeBotApi was never started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the server root (PTB: ``base_url=api.url + "/bot"``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url`` (the token is appended by PTB)."""
        return f"{self.url}/bot"

    @property
    def server_errors(self) -> list[str]:
        with self._cond:
            return list(self._server_errors)

    def _track_thread(self, thread: threading.Thread) -> None:
        with self._cond:
            self._conn_threads = [t for t in self._conn_threads if t.is_alive()]
            self._conn_threads.append(thread)

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.add(conn)
        if self._closing:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)

    def _server_error(self, text: str) -> None:
        with self._cond:
            self._server_errors.append(text)
            self._cond.notify_all()

    def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server shuts down."""
        if seconds <= 0:
            return
        with self._cond:
            self._cond.wait_for(lambda: self._closing, seconds)

    # ------------------------------------------------------------------ HTTP entry point

    def _serve(self, handler: _Handler) -> None:
        with self._cond:
            self._busy.add(handler.connection)
        try:
            self._serve_request(handler)
        finally:
            with self._cond:
                self._busy.discard(handler.connection)
                self._cond.notify_all()

    def _serve_request(self, handler: _Handler) -> None:
        at = time.monotonic()
        split = urlsplit(handler.path)
        body = handler.read_body()
        match = _API_PATH.fullmatch(split.path)
        if match is None:
            handler.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        raw: dict[str, str] = dict(parse_qsl(split.query, keep_blank_values=True))
        files: dict[str, UploadedFile] = {}
        params: dict[str, Any] = {}
        parse_error: ApiError | None = None
        content_type = handler.headers.get("Content-Type", "")
        try:
            media_type = content_type.split(";", 1)[0].strip().lower()
            if media_type == "multipart/form-data":
                fields, files = _parse_multipart(body, content_type)
                raw.update(fields)
            elif media_type == "application/json" and body.strip():
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise _bad_request("JSON object expected")
                raw.update(
                    {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
                )
            elif body:
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            params = _decode_params(raw)
            for name, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    attached = files.get(value[len("attach://") :])
                    if attached is not None:
                        params[name] = attached
            for name, upload in files.items():
                params.setdefault(name, upload)
        except ApiError as exc:
            parse_error = exc
        except ValueError as exc:
            parse_error = _bad_request(f"can't parse request: {exc}")

        outcome = self._process(
            token=unquote(match.group("token")),
            method=unquote(match.group("method")),
            params=params,
            raw=raw,
            files=files,
            at=at,
            http_method=handler.command,
            parse_error=parse_error,
            ctx=_RequestContext(handler.connection),
        )
        if outcome is _DROP:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        status, payload = outcome
        handler.send_json(status, payload)

    def _process(
        self,
        *,
        token: str,
        method: str,
        params: dict[str, Any],
        raw: dict[str, str],
        files: dict[str, UploadedFile],
        at: float,
        http_method: str,
        parse_error: ApiError | None,
        ctx: _RequestContext,
    ) -> Any:
        self._sleep(self._latency)

        def record(name: str, status: int, response: dict[str, Any] | None) -> None:
            call = Call(
                method=name,
                params=params,
                at=at,
                status=status,
                response=response,
                files=files,
                raw=raw,
                http_method=http_method,
            )
            with self._cond:
                self._calls.append(call)
                self._cond.notify_all()

        if token != self.token:
            payload = ApiError(401, "Unauthorized").payload()
            record(method, 401, payload)
            return 401, payload
        key = method.lower()
        custom = self._custom.get(key)
        builtin = self._methods.get(key)
        if custom is not None:
            name, custom_handler = custom

            def run(params: dict[str, Any], ctx: _RequestContext) -> Any:
                return custom_handler(params)

        elif builtin is not None:
            name, run = builtin
        else:
            payload = ApiError(404, "Not Found").payload()
            record(method, 404, payload)
            return 404, payload

        fault = self._take_fault(key)
        if fault is not None and fault.kind == "drop" and not fault.applied:
            record(name, 0, None)
            return _DROP
        if fault is not None and fault.kind == "fail":
            payload = ApiError(fault.status, fault.description, fault.parameters).payload()
            record(name, fault.status, payload)
            return fault.status, payload

        try:
            if parse_error is not None:
                raise parse_error
            with self._cond:
                result = run(params, ctx)
                self._cond.notify_all()
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, payload = exc.status, exc.payload()
        except _ClientGoneError:
            record(name, 499, None)
            return _DROP
        except Exception:  # a bug in the fake: answer like a broken server, report on exit
            self._server_error(traceback.format_exc())
            status = 500
            payload = ApiError(500, "Internal Server Error").payload()
        if fault is not None and fault.kind == "drop":  # applied, but the answer is lost
            record(name, 0, payload)
            return _DROP
        record(name, status, payload)
        if fault is not None and fault.kind == "delay":
            self._sleep(fault.seconds)
        return status, payload

    def _take_fault(self, key: str) -> _Fault | None:
        with self._cond:
            queue = self._faults.get(key)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    # ------------------------------------------------------------------ fault injection

    def fail(
        self,
        method: str,
        status: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        times: int = 1,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error.

        ``description`` defaults to Telegram's usual text for ``status``. ``retry_after`` adds
        ``"parameters": {"retry_after": n}`` (what PTB turns into ``RetryAfter``);
        ``parameters`` adds arbitrary response parameters (e.g. ``migrate_to_chat_id``).
        """
        if description is None:
            description = {
                400: "Bad Request",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: TERMINATED_BY_OTHER_POLL,
                429: f"Too Many Requests: retry after {retry_after or 1}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(status, "Error")
        merged = dict(parameters or {})
        if retry_after is not None:
            merged["retry_after"] = retry_after
        self._add_fault(
            method,
            _Fault(
                kind="fail",
                times=times,
                status=status,
                description=description,
                parameters=merged or None,
            ),
        )

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the answer of the next ``times`` calls of ``method`` for ``seconds``.

        The call is processed and recorded first (a real Telegram got the request), so e.g. a
        delayed ``sendMessage`` still delivers the message even if the client times out.
        """
        self._add_fault(method, _Fault(kind="delay", times=times, seconds=seconds))

    def drop_connection(self, method: str, times: int = 1, *, applied: bool = False) -> None:
        """Close the socket without answering the next ``times`` calls of ``method``.

        By default the request has no effect (it "never reached Telegram"); with
        ``applied=True`` it is processed first and only the answer is lost.
        """
        self._add_fault(method, _Fault(kind="drop", times=times, applied=applied))

    def set_latency(self, seconds: float) -> None:
        """Add ``seconds`` before every answer (all methods)."""
        self._latency = max(0.0, seconds)

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()
            self._latency = 0.0

    def _add_fault(self, method: str, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be >= 1")
        with self._cond:
            self._faults.setdefault(method.lower(), []).append(fault)

    def register(self, method: str, handler: Callable[[dict[str, Any]], Any]) -> None:
        """Serve an extra (or override a) Bot API method: ``handler(params) -> result``.

        It runs with the fake's lock held; raise :class:`ApiError` for error answers.
        """
        self._custom[method.lower()] = (method, handler)

    # ------------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> list[Call]:
        """A snapshot of all calls so far, in arrival-completion order."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        key = method.lower()
        with self._cond:
            return [c for c in self._calls if c.method.lower() == key]

    def clear_calls(self) -> None:
        with self._cond:
            self._calls.clear()

    def messages_to(self, chat_id: int, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        """The Messages the bot sent to ``chat_id`` in send order, in their current state
        (edits applied, ``reply_markup`` included)."""
        chat_id = int(chat_id)
        with self._cond:
            result = []
            for message_id in self._bot_message_order.get(chat_id, []):
                stored = self._messages[(chat_id, message_id)]
                if include_deleted or not stored.deleted:
                    result.append(copy.deepcopy(stored.message))
            return result

    def last_message(self, chat_id: int) -> dict[str, Any]:
        """The latest Message the bot sent to ``chat_id``; AssertionError when there is none."""
        messages = self.messages_to(chat_id)
        if not messages:
            raise AssertionError(f"the bot sent no message to chat {chat_id}")
        return messages[-1]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The current state of any message in the fake's store (bot's or user's)."""
        with self._cond:
            stored = self._messages.get((int(chat_id), int(message_id)))
            if stored is None:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            return copy.deepcopy(stored.message)

    def is_deleted(self, chat_id: int, message_id: int) -> bool:
        with self._cond:
            stored = self._messages.get((int(chat_id), int(message_id)))
            return stored is not None and stored.deleted

    def callback_answers(self) -> dict[str, dict[str, Any] | None]:
        """callback_query id -> params of its answerCallbackQuery (None while unanswered)."""
        with self._cond:
            return copy.deepcopy(self._callbacks)

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        with self._cond:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    def uploaded(self, file_id: str) -> UploadedFile:
        """The upload behind a file_id the fake issued."""
        with self._cond:
            return self._uploads[file_id]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by an offset (delivered or not)."""
        with self._cond:
            return [copy.deepcopy(q.update) for q in self._queue]

    @property
    def is_polling(self) -> bool:
        """True while a getUpdates long poll is waiting in the fake."""
        with self._cond:
            return self._active_polls > 0

    @property
    def blocked(self) -> frozenset[int]:
        with self._cond:
            return frozenset(self._blocked)

    # ------------------------------------------------------------------ waiting

    def wait_for(
        self,
        predicate: Callable[[FakeBotApi], Any],
        timeout: float = 10.0,
        *,
        description: str | None = None,
    ) -> Any:
        """Block until ``predicate(api)`` is truthy and return its value.

        AssertionError and LookupError raised by the predicate count as "not yet" (so
        ``lambda api: api.last_message(42)["text"] == "Hi"`` is fine). On timeout raises
        AssertionError with the last 20 calls, so failures are readable.
        """
        deadline = time.monotonic() + timeout
        last_exc: BaseException | None = None
        with self._cond:
            while True:
                try:
                    value = predicate(self)
                except (AssertionError, LookupError) as exc:
                    value, last_exc = None, exc
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
        what = description or getattr(predicate, "__name__", "predicate")
        raise AssertionError(
            self._failure_report(f"timed out after {timeout}s waiting for {what}", last_exc)
        )

    async def wait_for_async(
        self,
        predicate: Callable[[FakeBotApi], Any],
        timeout: float = 10.0,  # noqa: ASYNC109 - runs the blocking wait in a thread
        *,
        description: str | None = None,
    ) -> Any:
        """:meth:`wait_for` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout, description=description)

    def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot sent at least ``count`` messages to ``chat_id``; return them all."""

        def enough(api: FakeBotApi) -> list[dict[str, Any]] | None:
            messages = api.messages_to(chat_id)
            return messages if len(messages) >= count else None

        return self.wait_for(enough, timeout, description=f"{count} message(s) to chat {chat_id}")

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` was called at least ``count`` times; return those calls."""

        def enough(api: FakeBotApi) -> list[Call] | None:
            calls = api.calls_to(method)
            return calls if len(calls) >= count else None

        return self.wait_for(enough, timeout, description=f"{count} call(s) to {method}")

    def _failure_report(self, headline: str, exc: BaseException | None) -> str:
        with self._cond:
            calls = self._calls[-20:]
            total = len(self._calls)
            pending = len(self._queue)
            errors = list(self._server_errors)
        lines = [headline]
        if exc is not None:
            lines.append(f"last predicate error: {exc!r}")
        lines.append(f"last {len(calls)} of {total} calls (pending updates: {pending}):")
        lines.extend(f"  {c.summary()}" for c in calls)
        if errors:
            lines.append("fake server errors:")
            lines.extend(errors)
        return "\n".join(lines)

    # ------------------------------------------------------------------ buttons

    @staticmethod
    def buttons(message: Any) -> list[tuple[str, str | None]]:
        """(label, callback_data) for every inline button, row by row (None for URL buttons)."""
        message = FakeBotApi._as_dict(message)
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [(b.get("text", ""), b.get("callback_data")) for row in rows for b in row]

    def press_label(self, user_id: int, message: Any, label: str) -> dict[str, Any]:
        """Press the inline button labelled ``label`` on ``message`` (default: the last message
        the bot sent to the user's private chat)."""
        if message is None:
            message = self.last_message(user_id)
        message = self._current(self._as_dict(message))
        found = [data for text, data in self.buttons(message) if text == label]
        if not found:
            labels = [text for text, _ in self.buttons(message)]
            raise AssertionError(f"no button {label!r} on message; buttons are {labels!r}")
        if found[0] is None:
            raise AssertionError(f"button {label!r} has no callback_data")
        return self.press(user_id, message, found[0])

    # ------------------------------------------------------------------ injecting updates

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Make a user (and their private chat) known without sending an update, as if they
        had talked to the bot before. Returns the User dict."""
        with self._cond:
            user = self._user(user_id, first_name, username, language_code)
            self._private_chat(user)
            return copy.deepcopy(user)

    def send_update(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Queue an arbitrary update (``update_id`` is assigned). Chats in it become known."""
        body = {k: copy.deepcopy(v) for k, v in raw.items() if k != "update_id"}
        with self._cond:
            for value in body.values():
                if isinstance(value, dict):
                    for holder in (value, value.get("message")):
                        if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                            chat = holder["chat"]
                            self._chats.setdefault(int(chat["id"]), copy.deepcopy(chat))
            return self._enqueue(body)

    def redeliver(self, update: Any) -> dict[str, Any]:
        """Queue ``update`` again with the same update_id. It is delivered with the next
        getUpdates whatever the offset (like Telegram after a lost confirmation)."""
        update = copy.deepcopy(self._as_dict(update))
        if "update_id" not in update:
            raise ValueError("redeliver() needs an update with an update_id")
        with self._cond:
            self._queue.append(_Queued(update, forced=True))
            self._queue.sort(key=lambda q: q.update_id)
            self._cond.notify_all()
        return copy.deepcopy(update)

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
        username: str | None = None,
        language_code: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        """A text message from the user. ``first_name`` defaults to the user's known name, else
        "Ana". Private chat id == user_id; for groups ``chat_id`` defaults to ``-user_id``."""
        with self._cond:
            user = self._user(user_id, first_name, username, language_code)
            chat = self._chat_for(user, chat_type, chat_id, title)
            content: dict[str, Any] = {"text": text}
            entities = self._command_entities(text)
            if entities:
                content["entities"] = entities
            message = self._user_message(user, chat, content)
            return self._enqueue({"message": message})

    def send_group_text(
        self, user_id: int, group_id: int, text: str, *, title: str = "Test group"
    ) -> dict[str, Any]:
        """A text message in a basic group (the id is made negative)."""
        return self.send_text(
            user_id, text, chat_type="group", chat_id=-abs(group_id), title=title
        )

    def press(self, user_id: int, message: Any, data: str) -> dict[str, Any]:
        """The user presses an inline button with ``callback_data == data`` under ``message``
        (a Message dict as the bot got it back; its current state is used when known)."""
        with self._cond:
            user = self._user(user_id)
            current = self._current(self._as_dict(message))
            chat_id = int(current["chat"]["id"])
            query_id = str(next(self._callback_ids))
            self._callbacks[query_id] = None
            query = {
                "id": query_id,
                "from": copy.deepcopy(user),
                "message": current,
                "chat_instance": str(zlib.crc32(f"{self.token}/{chat_id}".encode()) * 1_000_003),
                "data": data,
            }
            return self._enqueue({"callback_query": query})

    def send_sticker(self, user_id: int, *, emoji: str = "👍") -> dict[str, Any]:
        n = next(self._file_counter)
        sticker = {
            "file_id": f"CAACAgIAAxkBAAIStk{n:08d}",
            "file_unique_id": f"AgADSt{n:06d}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": 24_000,
        }
        return self._simple_user_message(user_id, {"sticker": sticker})

    def send_photo(self, user_id: int, *, caption: str | None = None) -> dict[str, Any]:
        n = next(self._file_counter)
        sizes = [
            {
                "file_id": f"AgACAgIAAxkBAAIPh{n:08d}{suffix}",
                "file_unique_id": f"AQADPh{n:06d}{suffix}",
                "width": width,
                "height": height,
                "file_size": size,
            }
            for suffix, width, height, size in (
                ("s", 90, 68, 1_200),
                ("m", 320, 240, 15_000),
                ("x", 800, 600, 60_000),
            )
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._simple_user_message(user_id, content)

    def send_voice(self, user_id: int, *, duration: int = 3) -> dict[str, Any]:
        n = next(self._file_counter)
        voice = {
            "file_id": f"AwACAgIAAxkBAAIVo{n:08d}",
            "file_unique_id": f"AgADVo{n:06d}",
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4_000 * duration,
        }
        return self._simple_user_message(user_id, {"voice": voice})

    def send_location(
        self, user_id: int, *, latitude: float = 52.520008, longitude: float = 13.404954
    ) -> dict[str, Any]:
        return self._simple_user_message(
            user_id, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """The user edits their earlier text message ``message_id`` (an ``edited_message``)."""
        with self._cond:
            user = self._user(user_id)
            chat = self._private_chat(user)
            stored = self._messages.get((int(chat["id"]), int(message_id)))
            if stored is not None and not stored.by_bot:
                message = copy.deepcopy(stored.message)
            else:
                message = {
                    "message_id": int(message_id),
                    "from": copy.deepcopy(user),
                    "chat": copy.deepcopy(chat),
                    "date": int(self._clock()) - 60,
                }
            message["text"] = new_text
            message.pop("entities", None)
            entities = self._command_entities(new_text)
            if entities:
                message["entities"] = entities
            message["edit_date"] = int(self._clock())
            self._messages[(int(chat["id"]), int(message_id))] = _Stored(
                copy.deepcopy(message), by_bot=False
            )
            return self._enqueue({"edited_message": message})

    def block(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: later sends to them answer 403."""
        with self._cond:
            self._blocked.add(int(user_id))
            return self._member_update(user_id, "member", "kicked")

    def unblock(self, user_id: int) -> dict[str, Any]:
        with self._cond:
            self._blocked.discard(int(user_id))
            return self._member_update(user_id, "kicked", "member")

    # ------------------------------------------------------------------ update helpers

    @staticmethod
    def _as_dict(obj: Any) -> dict[str, Any]:
        if isinstance(obj, Mapping):
            return dict(obj)
        to_dict = getattr(obj, "to_dict", None)
        if callable(to_dict):  # a telegram.TelegramObject
            return to_dict()
        raise TypeError(f"expected a dict or a telegram object, got {type(obj).__name__}")

    def _current(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            key = (int(message["chat"]["id"]), int(message["message_id"]))
            stored = self._messages.get(key)
            return copy.deepcopy(stored.message if stored is not None else message)

    def _enqueue(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self._queue.append(_Queued(update))
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        user_id = int(user_id)
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": "Ana"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def _private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        self._chats[int(user["id"])] = chat
        return chat

    def _chat_for(
        self, user: dict[str, Any], chat_type: str, chat_id: int | None, title: str | None
    ) -> dict[str, Any]:
        if chat_type == "private":
            if chat_id is not None and int(chat_id) != user["id"]:
                raise ValueError("a private chat's id is the user's id")
            return self._private_chat(user)
        if chat_id is None:
            chat_id = -(10**12 + user["id"]) if chat_type == "supergroup" else -user["id"]
        chat = self._chats.get(int(chat_id)) or {
            "id": int(chat_id),
            "type": chat_type,
            "title": title or "Test group",
        }
        if title is not None:
            chat["title"] = title
        self._chats[int(chat_id)] = chat
        return chat

    def _message_id(self, chat_id: int) -> int:
        next_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = next_id + 1
        return next_id

    def _user_message(
        self, user: dict[str, Any], chat: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        chat_id = int(chat["id"])
        message = {
            "message_id": self._message_id(chat_id),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat),
            "date": int(self._clock()),
            **content,
        }
        self._messages[(chat_id, message["message_id"])] = _Stored(
            copy.deepcopy(message), by_bot=False
        )
        return message

    def _simple_user_message(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            user = self._user(user_id)
            chat = self._private_chat(user)
            return self._enqueue({"message": self._user_message(user, chat, content)})

    def _command_entities(self, text: str) -> list[dict[str, Any]]:
        match = _LEADING_COMMAND.match(text)
        if not match:
            return []
        following = text[match.end() : match.end() + 1]
        if following and (following.isalnum() or following in "_/<>"):
            return []
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]

    def _member_update(self, user_id: int, old: str, new: str) -> dict[str, Any]:
        user = self._user(user_id)
        chat = self._private_chat(user)

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": copy.deepcopy(self.bot_user), "status": status}
            if status == "kicked":
                data["until_date"] = 0  # 0 == forever
            return data

        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": copy.deepcopy(chat),
                    "from": copy.deepcopy(user),
                    "date": int(self._clock()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    # ------------------------------------------------------------------ method helpers

    def _chat(self, params: Mapping[str, Any], *, sending: bool = False) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        chat: dict[str, Any] | None = None
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            chat = next(
                (c for c in self._chats.values() if str(c.get("username", "")).lower() == name),
                None,
            )
        else:
            with contextlib.suppress(TypeError, ValueError):
                chat = self._chats.get(int(chat_id))
        if chat is None:
            raise _bad_request("chat not found")
        if sending and chat["type"] == "private" and int(chat["id"]) in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _formatted(
        self,
        params: Mapping[str, Any],
        *,
        key: str,
        entities_key: str,
        limit: int,
        required: bool,
    ) -> tuple[str | None, list[dict[str, Any]]]:
        value = params.get(key)
        too_long = "message is too long" if key == "text" else "message caption is too long"
        if value is None or value == "":
            if required:
                raise _bad_request("message text is empty")
            return None, []
        text = str(value)
        given = params.get(entities_key)
        parse_mode = str(params.get("parse_mode") or "")
        if isinstance(given, list) and given:
            entities = [dict(e) for e in given if isinstance(e, dict)]
        elif parse_mode:
            parser = {
                "html": _parse_html,
                "markdownv2": _parse_markdown_v2,
                "markdown": _parse_markdown,
            }.get(parse_mode.lower())
            if parser is None:
                raise _bad_request(f"unsupported parse_mode {parse_mode}")
            text, entities = parser(text)
        else:
            entities = []
        text, entities = _trim(text, entities)
        if not text:
            if required:
                raise _bad_request("message text is empty")
            return None, []
        if len(text) > limit:
            raise _bad_request(too_long)
        return text, _sort_entities(entities)

    @staticmethod
    def _markup(value: Any) -> dict[str, Any] | None:
        """Validate reply_markup; return what Telegram echoes in the Message (inline only)."""
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = None
        if not isinstance(value, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in value:
            return None
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        echoed_rows = []
        for row in rows:
            echoed_row = []
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not any(k in button for k in INLINE_BUTTON_ACTIONS):
                    raise _bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and (
                    not isinstance(data, str)
                    or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
                ):
                    raise _bad_request("BUTTON_DATA_INVALID")
                echoed_row.append(copy.deepcopy(button))
            if echoed_row:
                echoed_rows.append(echoed_row)
        return {"inline_keyboard": echoed_rows}

    def _reply_to(self, chat: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            legacy = params.get("reply_to_message_id")
            if legacy is None:
                return None
            reply = {
                "message_id": legacy,
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        target_chat = int(reply.get("chat_id") or chat["id"])
        stored = self._messages.get((target_chat, int(reply.get("message_id") or 0)))
        if stored is None or stored.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad_request("message to be replied not found")
        replied = copy.deepcopy(stored.message)
        replied.pop("reply_to_message", None)
        return replied

    def _new_bot_message(
        self, chat: dict[str, Any], params: Mapping[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        markup = self._markup(params.get("reply_markup"))
        reply = self._reply_to(chat, params)
        chat_id = int(chat["id"])
        message: dict[str, Any] = {
            "message_id": self._message_id(chat_id),
            "from": copy.deepcopy(self.bot_user),
            "chat": copy.deepcopy(chat),
            "date": int(self._clock()),
        }
        if reply is not None:
            message["reply_to_message"] = reply
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        if params.get("protect_content") is True:
            message["has_protected_content"] = True
        self._messages[(chat_id, message["message_id"])] = _Stored(
            copy.deepcopy(message), by_bot=True
        )
        self._bot_message_order.setdefault(chat_id, []).append(message["message_id"])
        return message

    def _editable(self, params: Mapping[str, Any]) -> _Stored | None:
        """The stored message an edit targets, or None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        try:
            key = (int(chat["id"]), int(message_id))
        except (TypeError, ValueError):
            raise _bad_request("message to edit not found") from None
        stored = self._messages.get(key)
        if stored is None or stored.deleted:
            raise _bad_request("message to edit not found")
        if not stored.by_bot:
            raise _bad_request("message can't be edited")
        return stored

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    # ------------------------------------------------------------------ Bot API methods

    def _return_true(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        return True

    def _get_me(self, params: dict[str, Any], ctx: _RequestContext) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: dict[str, Any], ctx: _RequestContext) -> list[dict[str, Any]]:
        if self._webhook.get("url"):
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_LONG_POLL_SECONDS)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        if offset is not None:
            offset = int(offset)
            if offset < 0:
                self._queue = self._queue[offset:]
            else:
                self._queue = [
                    q
                    for q in self._queue
                    if q.update_id >= offset or (q.forced and not q.delivered)
                ]
        self._poll_generation += 1
        generation = self._poll_generation
        self._active_polls += 1
        self._cond.notify_all()
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self._poll_generation != generation:
                    # A client that gave up on this poll (PTB cancels it on shutdown, then
                    # confirms the offset with a short poll) is not a second bot instance.
                    if ctx.client_gone():
                        raise _ClientGoneError
                    raise ApiError(409, TERMINATED_BY_OTHER_POLL)
                batch = self._deliverable(limit)
                remaining = deadline - time.monotonic()
                if batch or self._closing or remaining <= 0:
                    break
                if ctx.client_gone():
                    raise _ClientGoneError
                self._cond.wait(min(remaining, 0.1))
        finally:
            self._active_polls -= 1
        for queued in batch:
            queued.delivered = True
        return [copy.deepcopy(q.update) for q in batch]

    def _deliverable(self, limit: int) -> list[_Queued]:
        allowed = set(self._allowed_updates or ())
        if not allowed:
            self._queue = [q for q in self._queue if q.kind not in OPT_IN_UPDATE_TYPES]
        else:
            self._queue = [q for q in self._queue if q.kind in allowed]
        return sorted(self._queue, key=lambda q: q.update_id)[:limit]

    def _set_webhook(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        url = str(params.get("url") or "")
        if url and not url.lower().startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {"url": url}
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates") is True:
            self._queue.clear()
        return True

    def _delete_webhook(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        self._webhook = {"url": ""}
        if params.get("drop_pending_updates") is True:
            self._queue.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any], ctx: _RequestContext) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _send_message(self, params: dict[str, Any], ctx: _RequestContext) -> dict[str, Any]:
        chat = self._chat(params, sending=True)
        text, entities = self._formatted(
            params, key="text", entities_key="entities", limit=MAX_TEXT_LENGTH, required=True
        )
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._new_bot_message(chat, params, content)

    def _send_document(self, params: dict[str, Any], ctx: _RequestContext) -> dict[str, Any]:
        chat = self._chat(params, sending=True)
        document = params.get("document")
        if isinstance(document, UploadedFile):
            if not document.content:
                raise _bad_request("file must be non-empty")
            n = next(self._file_counter)
            file_id = f"BQACAgIAAxkDAAI{n:06d}fake{abs(int(chat['id']))}"
            filename = document.filename or "document"
            meta = {
                "file_id": file_id,
                "file_unique_id": f"AgAD{n:06d}",
                "file_name": filename,
                "mime_type": mimetypes.guess_type(filename, strict=False)[0]
                or document.content_type
                or "application/octet-stream",
                "file_size": len(document.content),
            }
            self._files[file_id] = meta
            self._uploads[file_id] = document
        elif isinstance(document, str) and document in self._files:
            meta = self._files[document]
        elif isinstance(document, str) and re.match(r"https?://", document):
            n = next(self._file_counter)
            filename = urlsplit(document).path.rsplit("/", 1)[-1] or "file"
            meta = {
                "file_id": f"BQACAgIAAxkDAAI{n:06d}url",
                "file_unique_id": f"AgAD{n:06d}",
                "file_name": filename,
                "mime_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
                "file_size": 1024,
            }
            self._files[meta["file_id"]] = meta
        elif document is None or document == "":
            raise _bad_request("there is no document in the request")
        else:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        caption, caption_entities = self._formatted(
            params,
            key="caption",
            entities_key="caption_entities",
            limit=MAX_CAPTION_LENGTH,
            required=False,
        )
        content: dict[str, Any] = {"document": copy.deepcopy(meta)}
        if caption is not None:
            content["caption"] = caption
        if caption_entities:
            content["caption_entities"] = caption_entities
        return self._new_bot_message(chat, params, content)

    def _edit_message_text(self, params: dict[str, Any], ctx: _RequestContext) -> Any:
        stored = self._editable(params)
        text, entities = self._formatted(
            params, key="text", entities_key="entities", limit=MAX_TEXT_LENGTH, required=True
        )
        markup = self._markup(params.get("reply_markup"))
        if stored is None:
            return True
        current = stored.message
        if "text" not in current:
            raise _bad_request("there is no text in the message to edit")
        if (
            current.get("text") == text
            and current.get("entities", []) == entities
            and current.get("reply_markup") == markup
        ):
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        current["text"] = text
        self._set_optional(current, "entities", entities or None)
        self._set_optional(current, "reply_markup", markup)
        current["edit_date"] = int(self._clock())
        return copy.deepcopy(current)

    def _edit_message_reply_markup(self, params: dict[str, Any], ctx: _RequestContext) -> Any:
        stored = self._editable(params)
        markup = self._markup(params.get("reply_markup"))
        if stored is None:
            return True
        current = stored.message
        if current.get("reply_markup") == markup:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._set_optional(current, "reply_markup", markup)
        current["edit_date"] = int(self._clock())
        return copy.deepcopy(current)

    @staticmethod
    def _set_optional(target: dict[str, Any], key: str, value: Any) -> None:
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value

    def _delete_message(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        chat = self._chat(params)
        try:
            key = (int(chat["id"]), int(params.get("message_id") or 0))
        except (TypeError, ValueError):
            raise _bad_request("message to delete not found") from None
        stored = self._messages.get(key)
        if stored is None or stored.deleted:
            raise _bad_request("message to delete not found")
        stored.deleted = True
        return True

    def _answer_callback_query(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callbacks or self._callbacks[query_id] is not None:
            raise ApiError(400, QUERY_TOO_OLD)
        self._callbacks[query_id] = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True

    def _set_my_commands(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _delete_my_commands(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    def _get_my_commands(
        self, params: dict[str, Any], ctx: _RequestContext
    ) -> list[dict[str, Any]]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _send_chat_action(self, params: dict[str, Any], ctx: _RequestContext) -> bool:
        self._chat(params, sending=True)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True
