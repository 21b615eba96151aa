"""Reading a CSV upload: `multipart/form-data` (field `file`, optional `name`, `description`) or a raw `text/csv`
body. Parsed with the standard library's email parser; the size limit is checked before parsing."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

import azure.functions as func

from domain.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from functions._io import media_type


@dataclass(frozen=True)
class Upload:
    data: bytes
    name: str | None
    description: str | None


def read_upload(req: func.HttpRequest, max_bytes: int) -> Upload:
    body = req.get_body()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"The upload is {len(body)} bytes; the limit is {max_bytes}.", target="file")
    kind = media_type(req)
    if kind == "text/csv":
        return Upload(body, req.params.get("name"), req.params.get("description"))
    if kind != "multipart/form-data":
        raise UnsupportedMediaType(
            "Upload a CSV as multipart/form-data or text/csv, or send application/json with a uri.",
            target="Content-Type",
        )
    header = f"Content-Type: {req.headers.get('content-type')}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise ValidationFailed("The multipart body could not be read.", target="body")
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload
    if "file" not in fields:
        raise ValidationFailed("The form has no 'file' field.", target="file")
    text = {k: fields[k].decode("utf-8", "replace") for k in ("name", "description") if k in fields}
    return Upload(fields["file"], text.get("name"), text.get("description"))
