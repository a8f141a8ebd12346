"""Files sent to the emulator: uploaded parts, their records, and image sizes."""

from __future__ import annotations

import mimetypes
import struct
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from telewire.emulator import errors as e
from telewire.emulator.errors import ApiFailure, bad_request
from telewire.emulator.world import BotState, FileRecord

MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_LOCAL_UPLOAD = 2000 * 1024 * 1024  # a --local server's limit; downloads have none


class Upload(NamedTuple):
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


def store(bot: BotState, upload: Upload, folder: str, *, local: bool = False) -> FileRecord:
    limit = MAX_PHOTO if folder == "photos" else MAX_LOCAL_UPLOAD if local else MAX_UPLOAD
    if len(upload.data) > limit:
        raise ApiFailure(413, e.ENTITY_TOO_LARGE)
    if not upload.data:
        raise bad_request("file must be non-empty")
    file_id, unique_id = bot.new_file_id()
    extension = mimetypes.guess_extension(upload.content_type) or ""
    if "." in upload.filename:
        extension = "." + upload.filename.rsplit(".", 1)[1]
    record = FileRecord(
        file_id=file_id,
        file_unique_id=unique_id,
        file_path=f"{folder}/file_{bot.next_file - 1}{extension}",
        data=upload.data,
        mime_type=upload.content_type,
        file_name=upload.filename,
    )
    bot.files[file_id] = record
    return record


def resolve(
    bot: BotState,
    value: object,
    params: dict[str, object],
    folder: str,
    *,
    local_dir: Path | None = None,
) -> FileRecord:
    """The file a parameter names: a fresh upload, ``attach://part``, or a known file_id.

    A ``--local`` server (``local_dir`` set) also reads ``file:///absolute/path`` from
    its own disk, as telegram-bot-api does.
    """
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value[len("attach://") :])
        if value is None:
            raise bad_request("wrong remote file identifier specified: can't find attached file")
    if isinstance(value, str) and value.startswith("file://") and local_dir is not None:
        value = read_local(value)
    if isinstance(value, Upload):
        return store(bot, value, folder, local=local_dir is not None)
    if isinstance(value, str):
        known = bot.files.get(value)
        if known is not None:
            return known
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
    raise bad_request(e.WRONG_FILE)


def read_local(uri: str) -> Upload:
    """The file a ``file://`` URI names on this machine, as if it had been uploaded."""
    path = Path(unquote(uri[len("file://") :]))
    if not path.is_absolute() or not path.is_file():
        raise bad_request("file not found: a file:// URI must name an existing absolute path")
    if path.stat().st_size > MAX_LOCAL_UPLOAD:
        raise ApiFailure(413, e.ENTITY_TOO_LARGE)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Upload(path.name, content_type, path.read_bytes())


def local_copy(local_dir: Path, bot: BotState, record: FileRecord) -> Path:
    """Where a ``--local`` server keeps ``record`` on disk (written on first ``getFile``)."""
    target = (local_dir / str(bot.id) / record.file_path).resolve()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(record.data)
        partial.replace(target)
    return target


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; (0, 0) when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return 0, 0
