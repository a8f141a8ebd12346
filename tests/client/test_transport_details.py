"""Transport details: upload progress, proxy choice from the environment."""

from __future__ import annotations

import pytest

from telewire import InputFile
from telewire.client.blocking import BlockingClient
from telewire.testing import EmulatorHandle, TestUser
from telewire.transports.proxies import proxy_for


def test_large_uploads_report_progress(emulator: EmulatorHandle, alice: TestUser) -> None:
    seen: list[tuple[int, int]] = []
    with BlockingClient(emulator.token, base_url=emulator.base_url) as client:
        client.upload_progress = lambda done, total: seen.append((done, total))
        sent = client.request(
            "sendDocument",
            {"chat_id": alice.id, "document": InputFile(b"x" * 3_000_000, filename="big.bin")},
        )
    assert sent["document"]["file_size"] == 3_000_000
    assert len(seen) > 5 and seen[-1][0] == seen[-1][1] and seen == sorted(seen)


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        ({}, "https://api.telegram.org", None),
        ({"HTTPS_PROXY": "http://proxy:3128"}, "https://api.telegram.org", "http://proxy:3128"),
        ({"https_proxy": "proxy:3128"}, "https://api.telegram.org", "http://proxy:3128"),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "telegram.org"},
            "https://api.telegram.org",
            None,
        ),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, "https://api.telegram.org", None),
        ({"HTTP_PROXY": "http://p:1"}, "http://127.0.0.1:8081", None),
        ({"ALL_PROXY": "http://p:2"}, "http://example.test", "http://p:2"),
    ],
)
def test_proxies_come_from_the_standard_variables(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str, expected: str | None
) -> None:
    for name in (
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert proxy_for(url) == expected
