"""The one-command update path: adopt a newer spec, regenerate, print the changelog."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.api.spec import SPEC_DIR, compare, sources
from tests.conftest import ROOT

OLD = SPEC_DIR / "botapi-10.1.json"
NEW = SPEC_DIR / "botapi-10.3.aiogram-schema.json"
GENERATED = Path("src/telewire/api/_generated")


def update(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/generate_api.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_updating_from_10_1_to_10_3_prints_what_changed_and_regenerates(tmp_path: Path) -> None:
    first = update(tmp_path, "--update", str(OLD))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Bot API 10.1: 180 methods, 359 types")

    second = update(tmp_path, "--update", str(NEW))
    assert second.returncode == 0, second.stderr
    report = second.stdout
    assert report.startswith("Bot API 10.1 -> 10.3\n")
    methods = report.split("Methods added (5):\n")[1].split("\n\n")[0].splitlines()
    assert methods == [
        "- deleteEphemeralMessage",
        "- editEphemeralMessageCaption",
        "- editEphemeralMessageMedia",
        "- editEphemeralMessageReplyMarkup",
        "- editEphemeralMessageText",
    ]
    for line in (
        "Types added (41):",
        "- EphemeralMessageParameters",
        "- InputMediaVoiceNote",
        "- DisabledButton",
        "- sendMessage.ephemeral_message_parameters (EphemeralMessageParameters, optional)",
        "- ChatAdministratorRights.can_send_welcome_messages (Boolean, required)",
        "- Message.ephemeral_message_id (Integer, optional)",
        "Fields changed requiredness (1):\n- ReplyParameters.message_id: now optional",
        "- RichText: +RichTextButton",
        "spec/SOURCE.md",
    ):
        assert line in report, line
    assert " removed (" not in report and "Results changed" not in report

    assert sorted(p.name for p in (tmp_path / "spec").iterdir()) == [
        "botapi-10.1.json",
        "botapi-10.3.aiogram-schema.json",
    ]
    for path in (ROOT / GENERATED).glob("*.py"):
        assert (tmp_path / GENERATED / path.name).read_text() == path.read_text(), path.name


def test_an_older_spec_is_refused_with_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    shutil.copyfile(NEW, tmp_path / "spec" / NEW.name)
    result = update(tmp_path, "--update", str(OLD))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"generate_api: {OLD} is Bot API 10.1, older than the current 10.3"
    ]
    assert not (tmp_path / GENERATED).exists()


def test_a_file_in_no_known_format_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('{"openapi": "3.0"}')
    result = update(tmp_path, "--update", str(odd))
    assert result.returncode == 2
    assert "add a reader in scripts/apigen/" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_aiogram_reader_agrees_with_api_json_on_everything_10_3_kept() -> None:
    """Results and field types parsed from prose match api.json wherever 10.3 changed nothing."""
    old, new = sources.load(OLD), sources.load(NEW)
    sections = compare(old, new).sections
    assert set(sections) == {
        "Methods added",
        "Parameters added",
        "Types added",
        "Fields added",
        "Fields changed requiredness",
        "Union members changed",
    }
    assert all(new.methods[name].returns for name in new.methods)
    assert new.methods["editEphemeralMessageText"].returns == ("Boolean",)
    assert new.methods["getChatAdministrators"].returns == ("Array of ChatMember",)
    assert new.methods["editMessageText"].returns == ("Message", "Boolean")


def test_diff_prints_the_changes_without_writing_anything(tmp_path: Path) -> None:
    result = update(tmp_path, "--diff", str(OLD), str(NEW))
    assert result.returncode == 0, result.stderr
    assert "Methods added (5):" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_method_whose_result_cannot_be_read_is_named(tmp_path: Path) -> None:
    method = {"name": "doThing", "anchor": "dothing", "category": "methods"}
    spec = {
        "api": {"version": "99.0"},
        "items": [{"children": [{**method, "description": "Does a thing.", "annotations": []}]}],
    }
    odd = tmp_path / "next.json"
    odd.write_text(json.dumps(spec))
    result = update(tmp_path, "--diff", str(NEW), str(odd))
    assert result.returncode == 2
    assert "cannot tell what doThing returns" in result.stderr
    assert "Traceback" not in result.stderr
