"""Files to upload: a path, bytes or an open binary file, named for the multipart body."""

from __future__ import annotations

import os
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
            path = os.fspath(source)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"cannot upload {path!r}: no such file")
            filename = filename or os.path.basename(path)
        elif isinstance(source, (bytes, bytearray, memoryview)):
            source = bytes(source)
        elif not hasattr(source, "read"):
            raise TypeError(
                "InputFile takes a path, bytes or a binary file object, "
                f"not {type(source).__name__}"
            )
        else:
            filename = filename or os.path.basename(str(getattr(source, "name", "") or "file"))
        self._source = source
        self.filename = filename or "file"
        if content_type is None:
            import mimetypes  # only when a file is actually sent

            content_type = mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        self.content_type = content_type

    def read(self) -> bytes:
        """Return the file's bytes (opening a path now)."""
        source = self._source
        if isinstance(source, bytes):
            return source
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as handle:
                return handle.read()
        data = source.read()
        if isinstance(data, str):
            raise TypeError("InputFile needs a binary file object (open it with 'rb')")
        return data

    def __repr__(self) -> str:
        return f"InputFile({self.filename!r}, content_type={self.content_type!r})"
