"""Request encoding: JSON without files, multipart with them, attach:// for nested ones."""

from __future__ import annotations

import email.parser
import email.policy
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from telewire import InputFile
from telewire.core.requests import encode_request
from telewire.types import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto


def parts(body: bytes, content_type: str) -> dict[str, Any]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    found = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        found[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return found


def test_no_files_means_a_json_body_without_none_values() -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]]
    )
    encoded = encode_request(
        {"chat_id": 5, "text": "hi", "parse_mode": None, "reply_markup": markup}
    )
    assert encoded.content_type == "application/json"
    assert msgspec.json.decode(encoded.body) == {
        "chat_id": 5,
        "text": "hi",
        "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    }


def test_a_file_parameter_becomes_a_multipart_file_part(tmp_path: Any) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(b"\x89PNG data")
    encoded = encode_request(
        {"chat_id": 5, "photo": InputFile(path), "caption": "a cat", "disable_notification": True}
    )
    assert encoded.content_type.startswith("multipart/form-data; boundary=")
    found = parts(encoded.body, encoded.content_type)
    assert found["photo"] == ("cat.png", "image/png", b"\x89PNG data")
    assert found["chat_id"][2] == b"5"
    assert found["caption"][2] == b"a cat"
    assert found["disable_notification"][2] == b"true"


def test_nested_files_are_attached_by_name() -> None:
    media = [
        InputMediaPhoto(media=InputFile(b"one", filename="1.jpg")),
        InputMediaPhoto(media=InputFile(b"two", filename="2.jpg"), caption="second"),
        InputMediaPhoto(media="AgADexisting"),
    ]
    encoded = encode_request({"chat_id": 1, "media": media})
    found = parts(encoded.body, encoded.content_type)
    described = msgspec.json.decode(found["media"][2])
    assert [m["media"] for m in described] == ["attach://file0", "attach://file1", "AgADexisting"]
    assert all(m["type"] == "photo" for m in described)
    assert found["file0"][2] == b"one" and found["file1"][2] == b"two"


def test_file_objects_and_bytes_are_read() -> None:
    import io

    encoded = encode_request({"document": InputFile(io.BytesIO(b"abc"), filename="a.txt")})
    assert parts(encoded.body, encoded.content_type)["document"] == ("a.txt", "text/plain", b"abc")


def test_objects_that_cannot_be_sent_get_a_clear_error() -> None:
    import pytest

    with pytest.raises(TypeError, match="cannot send a object to Telegram"):
        encode_request({"x": object()})


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=10),
        st.one_of(st.integers(), st.text(), st.booleans(), st.lists(st.integers(), max_size=3)),
        max_size=6,
    )
)
def test_json_encoding_round_trips_any_plain_parameters(params: dict[str, Any]) -> None:
    encoded = encode_request(params)
    assert msgspec.json.decode(encoded.body) == params


@given(
    st.text(max_size=50),
    st.binary(max_size=200),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20),
)
def test_multipart_carries_any_text_and_bytes(text: str, data: bytes, filename: str) -> None:
    encoded = encode_request({"caption": text, "document": InputFile(data, filename=filename)})
    found = parts(encoded.body, encoded.content_type)
    assert found["document"][2] == data
    assert (
        found.get("caption", (None, None, b""))[2] == text.encode().replace(b"\r\n", b"\n")
        or "\r" in text
    )
