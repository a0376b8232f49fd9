"""Reading an uploaded file from a multipart request with a size limit that holds before the whole body is read:
the declared Content-Length is refused at once when over it, and the bytes are counted as they stream in."""
from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

# Room for the multipart envelope and the form's small fields around the file.
ENVELOPE_BYTES = 64 * 1024


class TooLarge(Exception):
    """The request is bigger than the limit (answered 413)."""


class BadForm(Exception):
    """The request is no multipart form with a file in it (answered 400)."""


@dataclass
class Uploaded:
    file_name: str | None
    content: bytes | None
    fields: dict[str, list[str]]

    def field(self, name: str) -> str:
        return (self.fields.get(name) or [""])[0]


async def read_form(request: Request, limit: int) -> Uploaded:
    """The form's fields and its one file (field `file`), refusing more than limit bytes of file."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit + ENVELOPE_BYTES:
                raise TooLarge
        except ValueError:
            raise BadForm("Content-Length is not a number") from None
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise BadForm("send the file as multipart/form-data, field 'file'")

    async def counted():
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit + ENVELOPE_BYTES:
                raise TooLarge
            yield chunk

    parser = MultiPartParser(request.headers, counted(), max_files=1, max_fields=50, max_part_size=64 * 1024)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise BadForm(str(exc)) from None
    try:
        fields: dict[str, list[str]] = {}
        file_name, content = None, None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == "file":
                    file_name = value.filename
                    content = await value.read(limit + 1)
                    if len(content) > limit:
                        raise TooLarge
            else:
                fields.setdefault(key, []).append(value)
        return Uploaded(file_name, content, fields)
    finally:
        await form.close()
