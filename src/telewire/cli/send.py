"""``telewire send``: a message, file or photo to your chat, from a script or the shell.

    telewire send "Backup done"            echo "disk 91% full" | telewire send
    telewire send --photo chart.png "Today's sales"      telewire send --file report.pdf

Exit codes: 0 sent, 1 Telegram or the network refused, 2 nothing to send or bad usage.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from telewire.cli.connect import UsageError, add_connection_arguments, client_of, settings_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="the message (default: read standard input)")
    parser.add_argument(
        "--file", metavar="PATH", help="send this file as a document (text becomes its caption)"
    )
    parser.add_argument(
        "--photo", metavar="PATH", help="send this image as a photo (text becomes its caption)"
    )
    parser.add_argument(
        "--parse-mode", choices=["MarkdownV2", "HTML", "Markdown"], help="format the text"
    )
    parser.add_argument(
        "--silent", action="store_true", help="deliver without a notification sound"
    )
    parser.add_argument("--json", action="store_true", help="print the sent messages as JSON lines")
    add_connection_arguments(parser)


def _text_of(args: argparse.Namespace) -> str | None:
    """The text to send, or None when there is none (empty or blank counts as none)."""
    if args.text is not None:
        text = str(args.text)
    elif sys.stdin is None or sys.stdin.isatty():
        return None
    else:
        text = _read_text(sys.stdin.buffer.read()).rstrip("\n")
    return text if text.strip() else None


def _read_text(data: bytes) -> str:
    """Standard input as text; binary data is refused with a pointer to ``--file``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"standard input is not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x}); "
            "to send a binary file use --file PATH"
        ) from None
    if "\0" in text:
        raise UsageError("standard input holds NUL bytes, so it is not text; use --file PATH")
    return text


def _attachment_of(args: argparse.Namespace) -> str | None:
    """The ``--photo``/``--file`` path, checked to be a readable file before anything is sent."""
    import os

    if args.file and args.photo:
        raise UsageError("give --file or --photo, not both")
    option, path = ("--photo", args.photo) if args.photo else ("--file", args.file)
    if path is None:
        return None
    if os.path.isdir(path):
        raise UsageError(f"{option} {path} is a directory; give a file")
    if not os.path.exists(path):
        raise UsageError(f"{option} {path}: no such file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{option} {path}: permission denied (cannot read it)")
    return str(path)


def run(args: argparse.Namespace) -> int:
    from telewire.settings import parse_chat_id

    attachment = _attachment_of(args)
    text = _text_of(args)
    if text is None and attachment is None:
        raise UsageError(
            "nothing to send: give TEXT, pipe text on standard input, or use --file/--photo"
        )
    found = settings_of(args)
    try:
        chat_id = parse_chat_id(found.chat_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    common: dict[str, Any] = {"chat_id": chat_id}
    if args.silent:
        common["disable_notification"] = True
    sent: list[Any] = []
    with client_of(found) as client:
        if attachment is not None:
            sent.append(_send_file(client, args, common, text))
            if text is not None and len(text) > 1024:
                sent.extend(_send_text(client, common, text, args.parse_mode))
        elif text is not None:
            sent.extend(_send_text(client, common, text, args.parse_mode))
    if args.json:
        import json

        for message in sent:
            print(json.dumps(message, ensure_ascii=False))
    return 0


def _send_text(client: Any, common: dict[str, Any], text: str, parse_mode: str | None) -> list[Any]:
    if len(text.encode("utf-16-le")) <= 2 * 4096:  # Telegram counts UTF-16 code units
        return [client.request("sendMessage", {**common, "text": text, "parse_mode": parse_mode})]
    from telewire.text import text_messages

    return [
        client.request("sendMessage", {**common, **piece})
        for piece in text_messages(text, parse_mode)
    ]


def _send_file(
    client: Any, args: argparse.Namespace, common: dict[str, Any], text: str | None
) -> Any:
    from telewire.core.files import InputFile

    kind, path = ("photo", args.photo) if args.photo else ("document", args.file)
    params = {**common, kind: InputFile(path)}
    if text is not None and len(text) <= 1024:
        params.update(caption=text, parse_mode=args.parse_mode)
    if sys.stderr.isatty():
        client.upload_progress = _progress_bar(path)
    method = "sendPhoto" if kind == "photo" else "sendDocument"
    try:
        return client.request(method, params)
    finally:
        if client.upload_progress is not None:
            print(file=sys.stderr)


def _progress_bar(name: str) -> Any:
    import os

    label = os.path.basename(name)[:30]

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done / 1e6:.1f}/{total / 1e6:.1f} MB"
        )
        sys.stderr.flush()

    return show
