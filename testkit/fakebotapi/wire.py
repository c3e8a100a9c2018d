"""HTTP on loopback, and PTB's encodings: a form per call (multipart with files), values JSON."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import sys
import traceback
from collections.abc import Mapping
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from testkit.fakebotapi.records import STRING_FIELDS, UploadedFile, bad_request

if TYPE_CHECKING:
    from testkit.fakebotapi.fake import FakeBotApi


class ClientGoneError(Exception):
    """The client hung up while its long poll waited."""


class Request:
    """One API request's body, and its connection (to notice a client that left)."""

    def __init__(self, handler: Handler) -> None:
        self.connection: socket.socket = handler.connection
        length = int(handler.headers.get("Content-Length") or 0)
        self.body = handler.rfile.read(length) if length else b""
        self.content_type = handler.headers.get("Content-Type", "")

    def params(self) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """The decoded parameters (uploads in place of their ``attach://`` names) and files."""
        fields: dict[str, str] = {}
        files: dict[str, UploadedFile] = {}
        if self.content_type.lower().startswith("multipart/form-data"):
            head = f"Content-Type: {self.content_type}\r\n\r\n".encode("latin-1")
            message = BytesParser(policy=HTTP).parsebytes(head + self.body)
            if not message.is_multipart():
                raise bad_request("malformed multipart body")
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                content = part.get_payload(decode=True) or b""
                if not isinstance(name, str) or not isinstance(content, bytes):
                    continue
                if (filename := part.get_filename()) is None:
                    fields[name] = content.decode("utf-8", "replace")
                else:
                    files[name] = UploadedFile(
                        name, filename or None, content, part.get_content_type()
                    )
        elif self.body:
            fields = dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
        params: dict[str, Any] = {**files}
        for name, value in fields.items():
            params[name] = value
            if value.startswith("attach://"):
                params[name] = files.get(value.removeprefix("attach://"), value)
            elif name not in STRING_FIELDS:
                with contextlib.suppress(ValueError):
                    params[name] = json.loads(value)
        return params, files

    def client_gone(self) -> bool:
        """True when the peer has closed its end of the connection (e.g. a client timeout)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # PTB pools up to 256 connections; the default backlog is 5

    def __init__(self, api: FakeBotApi, host: str, port: int) -> None:
        self.api = api
        super().__init__((host, port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # OSError: the client went away
            self.api._server_error(traceback.format_exc())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: Server

    def setup(self) -> None:
        super().setup()
        with self.server.api._cond:  # known, to hang up on it when the server stops
            self.server.api._connections.add(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.api._cond:
            self.server.api._connections.discard(self.connection)

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client went away
            super().handle()

    def do_POST(self) -> None:
        self.server.api._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        return

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

    def hang_up(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
