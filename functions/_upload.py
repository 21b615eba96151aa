"""Reading a CSV upload: `multipart/form-data` (field `file`, optional `name`, `description`) or a raw `text/csv`
body. The size limit is checked before parsing. Memory stays bounded: the multipart parser (python-multipart, the one
Starlette uses) streams the file part into a spooled temporary file (on disk beyond 1 MiB), and a raw body is read
in place; the service then profiles and uploads it in chunks (docs/adr/0018-invariants-and-faults.md)."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from typing import IO

import azure.functions as func
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from functions._io import media_type

SPOOL_BYTES = 1 << 20  # the file part stays in memory up to this size, then goes to a temporary file
FIELD_BYTES = 4096  # name and description: small text fields
FEED_BYTES = 1 << 20  # the body is handed to the parser in slices of this size (one slice copied at a time)


@dataclass
class Upload:
    data: IO[bytes]  # positioned at 0; the caller closes it
    size: int
    name: str | None
    description: str | None


def read_upload(req: func.HttpRequest, max_bytes: int) -> Upload:
    body = req.get_body()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"The upload is {len(body)} bytes; the limit is {max_bytes}.", target="file")
    kind = media_type(req)
    if kind == "text/csv":
        return Upload(io.BytesIO(body), len(body), req.params.get("name"), req.params.get("description"))
    if kind != "multipart/form-data":
        raise UnsupportedMediaType(
            "Upload a CSV as multipart/form-data or text/csv, or send application/json with a uri.",
            target="Content-Type",
        )
    _, options = parse_options_header(req.headers.get("content-type") or "")
    boundary = options.get(b"boundary")
    if not boundary:
        raise ValidationFailed("The multipart body has no boundary.", target="Content-Type")
    return _parse(body, boundary)


class _Form:
    """The parser's callbacks: the `file` part into a spooled file, the small text fields into buffers."""

    def __init__(self) -> None:
        self.file: tempfile.SpooledTemporaryFile[bytes] | None = None
        self.fields: dict[str, bytearray] = {}
        self._header = bytearray()
        self._value = bytearray()
        self._name: str | None = None
        self._sink: IO[bytes] | bytearray | None = None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        if bytes(self._header).strip().lower() == b"content-disposition":
            _, params = parse_options_header(bytes(self._value))
            name = params.get(b"name")
            self._name = name.decode("utf-8", "replace") if name is not None else None
        self._header, self._value = bytearray(), bytearray()

    def headers_finished(self) -> None:
        if self._name == "file":
            self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned to the caller
            self._sink = self.file
        elif self._name in ("name", "description"):
            self._sink = self.fields.setdefault(self._name, bytearray())
        else:
            self._sink = None  # other fields are ignored

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if isinstance(self._sink, bytearray):
            if len(self._sink) + end - start > FIELD_BYTES:
                raise ValidationFailed(f"The form field '{self._name}' is too long.", target=self._name)
            self._sink += data[start:end]
        elif self._sink is not None:
            self._sink.write(data[start:end])

    def part_end(self) -> None:
        self._name, self._sink = None, None


def _parse(body: bytes, boundary: bytes) -> Upload:
    form = _Form()
    parser = MultipartParser(
        boundary,
        {
            "on_header_field": form.header_field,
            "on_header_value": form.header_value,
            "on_header_end": form.header_end,
            "on_headers_finished": form.headers_finished,
            "on_part_data": form.part_data,
            "on_part_end": form.part_end,
        },
    )
    view = memoryview(body)
    try:
        for at in range(0, len(view), FEED_BYTES):
            parser.write(bytes(view[at : at + FEED_BYTES]))
        parser.finalize()
    except MultipartParseError:
        if form.file is not None:
            form.file.close()
        raise ValidationFailed("The multipart body could not be read.", target="body") from None
    if form.file is None:
        raise ValidationFailed("The form has no 'file' field.", target="file")
    size = form.file.tell()
    form.file.seek(0)
    text = {k: v.decode("utf-8", "replace") for k, v in form.fields.items()}
    return Upload(form.file, size, text.get("name"), text.get("description"))
