"""Files to upload: a path, bytes or an open binary file, named for the multipart body."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import IO, Union

FileSource = Union[str, "os.PathLike[str]", bytes, IO[bytes]]


class InputFile:
    """The contents of a file to upload, read when the request is encoded.

    A path is opened at encoding time, not construction time, so an ``InputFile`` can be
    built early and sent (and retried) later. File objects are read from their current
    position; they are not closed, since the caller opened them.
    """

    __slots__ = ("_source", "content_type", "filename")

    def __init__(
        self,
        source: FileSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if not path.is_file():
                raise FileNotFoundError(f"cannot upload {str(path)!r}: no such file")
            filename = filename or path.name
        elif isinstance(source, (bytes, bytearray, memoryview)):
            source = bytes(source)
        elif not hasattr(source, "read"):
            raise TypeError(
                "InputFile takes a path, bytes or a binary file object, "
                f"not {type(source).__name__}"
            )
        else:
            filename = filename or Path(getattr(source, "name", "") or "file").name
        self._source = source
        self.filename = filename or "file"
        self.content_type = (
            content_type or mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        )

    def read(self) -> bytes:
        """Return the file's bytes (opening a path now)."""
        source = self._source
        if isinstance(source, bytes):
            return source
        if isinstance(source, (str, os.PathLike)):
            return Path(source).read_bytes()
        data = source.read()
        if isinstance(data, str):
            raise TypeError("InputFile needs a binary file object (open it with 'rb')")
        return data

    def __repr__(self) -> str:
        return f"InputFile({self.filename!r}, content_type={self.content_type!r})"
