"""Escaping and splitting, checked against the same parser the emulator answers with."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from telewire.core.markup import parse, utf16_len
from telewire.text import (
    escape_html,
    escape_markdown,
    escape_markdown_v2,
    split_message,
    text_messages,
)

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=200)


@given(TEXT)
def test_markdown_v2_escaping_makes_any_text_literal(text: str) -> None:
    plain, entities = parse(escape_markdown_v2(text), "MarkdownV2")
    assert (plain, entities) == (text, [])


@given(TEXT)
def test_html_escaping_makes_any_text_literal(text: str) -> None:
    assert parse(escape_html(text), "HTML") == (text, [])


@given(st.text(alphabet="ab_*`[ ", max_size=40))
def test_legacy_markdown_escaping_makes_text_literal(text: str) -> None:
    assert parse(escape_markdown(text), "Markdown") == (text, [])


def test_the_workshop_breakers_are_escaped() -> None:
    assert escape_markdown_v2("total_sales #1 & *vip*") == r"total\_sales \#1 & \*vip\*"
    assert escape_html("Tom & Jerry <3") == "Tom &amp; Jerry &lt;3"


@given(
    st.lists(st.sampled_from(["word", "😀", "\n", "\n\n", " ", "x" * 30]), max_size=300),
    st.integers(min_value=20, max_value=200),
)
def test_pieces_fit_and_lose_only_the_separators(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    pieces = split_message(text, limit=limit)
    assert all(utf16_len(p) <= limit for p, _ in pieces)
    rebuilt = "".join(p for p, _ in pieces)
    assert rebuilt.replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_cuts_prefer_paragraphs_then_lines_then_words() -> None:
    text = "a" * 50 + "\n\n" + "b" * 30 + "\n" + "c" * 10 + " " + "d" * 5
    assert [p for p, _ in split_message(text, limit=60)] == [
        "a" * 50,
        "b" * 30 + "\n" + "c" * 10 + " " + "d" * 5,
    ]
    assert [p for p, _ in split_message("x" * 10 + " " + "y" * 10, limit=15)] == [
        "x" * 10,
        "y" * 10,
    ]
    assert [p for p, _ in split_message("z" * 25, limit=10)] == ["z" * 10, "z" * 10, "z" * 5]


def test_cuts_avoid_the_inside_of_entities_and_rebase_them() -> None:
    text = "intro words " + "bold words here" + " tail"
    bold = {"type": "bold", "offset": 12, "length": 15}
    pieces = split_message(text, [bold], limit=22)
    assert pieces[0] == ("intro words", [])
    assert pieces[1][1] == [{"type": "bold", "offset": 0, "length": 15}]


def test_long_formatted_text_becomes_pieces_with_entities() -> None:
    long_text = "*" + "bold " * 1000 + "*" + " plain" * 200
    messages = text_messages(long_text, "MarkdownV2")
    assert len(messages) > 1 and all("entities" in m and "parse_mode" not in m for m in messages)
    assert all(utf16_len(m["text"]) <= 4096 for m in messages)
    assert messages[0]["entities"][0]["type"] == "bold"
    assert text_messages("short *one*", "MarkdownV2") == [
        {"text": "short *one*", "parse_mode": "MarkdownV2"}
    ]


@given(st.text(max_size=120), st.sampled_from(["MarkdownV2", "HTML", "Markdown"]))
def test_any_text_in_any_mode_parses_or_gets_telegrams_error(text: str, mode: str) -> None:
    from telewire.core.markup import MarkupError

    try:
        plain, entities = parse(text, mode)
    except MarkupError as exc:
        assert str(exc).startswith("can't parse entities: ")
        return
    for entity in entities:
        assert 0 <= int(entity["offset"]) and int(entity["offset"]) + int(
            entity["length"]
        ) <= utf16_len(plain)
