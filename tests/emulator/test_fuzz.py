"""Fuzzing over real HTTP: random parameters and bodies never get a 5xx or log a traceback.

Every method of the emulator's registry, every control API route and the webhook app get
random values (some of the right type, to reach past the type checks, some of any JSON
type) in every encoding Telegram accepts, then random bodies. Seeded and bounded, so a run
is the same run each time and takes a few seconds.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telewire import Router, WebhookApp
from telewire.api._generated.methods import METHODS
from telewire.emulator.engine import Engine
from telewire.emulator.methods import registry
from telewire.testing import EmulatorHandle, TestUser
from tests.emulator.helpers import MULTIPART, multipart
from tests.updates.test_webhook import Served

Engine()  # fills the registry
EXAMPLES = settings(
    derandomize=True,
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
small_ids = st.integers(min_value=-2, max_value=6)
keyboards = st.builds(
    lambda data: {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}, st.text(max_size=70)
)


def value_of(types: tuple[str, ...], chat_ids: list[int]) -> st.SearchStrategy[Any]:
    """Values a parameter of these spec types might get: plausible ones, and any JSON at all."""
    plausible: list[st.SearchStrategy[Any]] = [json_values]
    if "Integer" in types:
        plausible += [small_ids, st.sampled_from(chat_ids), st.text("0123456789-x", max_size=4)]
    if "String" in types:
        plausible += [
            st.text(max_size=30),
            st.sampled_from(["HTML", "MarkdownV2", "Markdown", "typing", "<b>x", "*a", "@x"]),
        ]
    if "Boolean" in types or "Float" in types:
        plausible += [st.booleans(), st.floats(), st.sampled_from(["true", "nan", "1e400", "-0"])]
    if any(kind.startswith("Array of") for kind in types):
        plausible += [st.lists(json_values, max_size=3), st.lists(small_ids, max_size=3)]
    if any(kind[0].isupper() and kind not in ("Integer", "String") for kind in types):
        plausible += [
            st.dictionaries(st.sampled_from(["type", "text", "url", "media"]), json_values)
        ]
    if "InlineKeyboardMarkup" in types:
        plausible.append(keyboards)
    return st.one_of(plausible)


@st.composite
def calls(draw: st.DrawFn, method: str, chat_ids: list[int]) -> dict[str, Any]:
    spec = METHODS.get(method)
    params: dict[str, Any] = {}
    for parameter in spec.parameters if spec else ():
        if draw(st.booleans()):
            params[parameter.name] = draw(value_of(parameter.types, chat_ids))
    if draw(st.integers(0, 4)) == 0:
        params[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    if method == "getupdates":
        params.pop("timeout", None)  # a long poll would only make the run slow
    return params


def encoded(params: dict[str, Any], encoding: str) -> tuple[str, bytes | None, str | None]:
    """(query string, body, content type) carrying ``params`` the way ``encoding`` does."""
    as_text = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    if encoding == "query":
        return "?" + urllib.parse.urlencode(as_text), None, None
    if encoding == "form":
        return "", urllib.parse.urlencode(as_text).encode(), "application/x-www-form-urlencoded"
    if encoding == "multipart":
        return "", multipart(as_text), MULTIPART
    return "", json.dumps(params).encode(), "application/json"


class Checked:
    """Requests whose answers must be Telegram-shaped and below 500."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def request(
        self, path: str, body: bytes | None, ctype: str | None, verb: str = "POST"
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + path, data=body, method=verb)
        if ctype:
            request.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        assert status < 500, (path, body, status, answer)
        return status, answer

    def json_request(self, path: str, body: bytes | None, ctype: str | None, verb: str) -> Any:
        status, answer = self.request(path, body, ctype, verb)
        reply = json.loads(answer)
        if status >= 400:
            assert reply["ok"] is False and reply["error_code"] == status, reply
            assert isinstance(reply["description"], str)
        return reply


@pytest.fixture
def world(emulator: EmulatorHandle) -> tuple[EmulatorHandle, TestUser, list[int]]:
    """A user who wrote, a group with a message of the bot under an inline keyboard."""
    user = emulator.user("Fuzz")
    emulator.send(user, "/start")
    group = emulator.group("Fuzz group", [user])
    return emulator, user, [user.id, group.id, 0, 10**15]


def assert_still_serves(emulator: EmulatorHandle) -> None:
    url = f"{emulator.base_url}/bot{emulator.token}/getMe"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert json.loads(response.read())["ok"] is True


@pytest.mark.parametrize("method", sorted(registry()))
def test_random_parameters_of_each_method(
    world: tuple[EmulatorHandle, TestUser, list[int]], quiet: None, method: str
) -> None:
    emulator, _, chat_ids = world
    client = Checked(emulator.base_url)

    @EXAMPLES
    @given(
        params=calls(method, chat_ids),
        encoding=st.sampled_from(["json", "form", "multipart", "query"]),
        verb=st.sampled_from(["POST", "GET"]),
    )
    def one_call(params: dict[str, Any], encoding: str, verb: str) -> None:
        query, body, ctype = encoded(params, encoding)
        client.json_request(f"/bot{emulator.token}/{method}{query}", body, ctype, verb)

    one_call()
    assert_still_serves(emulator)


CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b",
        "multipart/form-data",
        "text/plain",
        "application/json; charset=latin-1",
    ]
)


def test_random_bodies_of_random_methods(emulator: EmulatorHandle, quiet: None) -> None:
    client = Checked(emulator.base_url)

    @settings(EXAMPLES, max_examples=150)
    @given(
        method=st.sampled_from(sorted(registry())),
        body=st.binary(max_size=200)
        | st.builds(lambda v: json.dumps(v).encode(), json_values)
        | st.builds(lambda p: b"--b\r\n" + p + b"\r\n--b--\r\n", st.binary(max_size=60)),
        ctype=CONTENT_TYPES,
        verb=st.sampled_from(["POST", "GET"]),
    )
    def one_body(method: str, body: bytes, ctype: str, verb: str) -> None:
        client.json_request(f"/bot{emulator.token}/{method}", body, ctype, verb)

    one_body()
    assert_still_serves(emulator)


CONTROL_ROUTES = [
    ("POST", "/emulator/send"),
    ("POST", "/emulator/upload"),
    ("POST", "/emulator/press"),
    ("POST", "/emulator/block"),
    ("POST", "/emulator/chats"),
    ("GET", "/emulator/chats"),
    ("GET", "/emulator/chats/{chat}/messages"),
    ("POST", "/emulator/chats/{chat}/upgrade"),
    ("GET", "/emulator/chats/{chat}"),
    ("POST", "/emulator/bots"),
    ("GET", "/emulator/deliveries"),
    ("POST", "/emulator/faults"),
]
FIELDS = ["token", "user", "text", "chat_id", "message_id", "callback_data", "blocked", "type"]
FIELDS += ["title", "members", "username", "spec", "kind", "caption", "reply_to_message_id"]


def test_random_control_calls(
    world: tuple[EmulatorHandle, TestUser, list[int]], quiet: None
) -> None:
    emulator, user, chat_ids = world
    client = Checked(emulator.base_url)
    users = st.sampled_from([user.as_json(), {"id": 7}]) | json_values

    @settings(EXAMPLES, max_examples=250)
    @given(
        route=st.sampled_from(CONTROL_ROUTES),
        chat=st.sampled_from([*chat_ids, "x", "-", "99999999999999999"]),
        fields=st.dictionaries(
            st.sampled_from(FIELDS),
            json_values | small_ids | st.sampled_from(chat_ids) | users | st.just(emulator.token),
        ),
        shape=st.sampled_from(["json", "multipart", "raw"]),
        raw=st.binary(max_size=80),
        query=st.sampled_from(
            ["", f"?token={emulator.token}", "?token=x&user=1x", "?user=%C2%B2", "?user=%FF"]
        ),
    )
    def one_call(
        route: tuple[str, str],
        chat: Any,
        fields: dict[str, Any],
        shape: str,
        raw: bytes,
        query: str,
    ) -> None:
        verb, path = route
        fields.setdefault("token", emulator.token)
        fields["timeout"] = 0  # a press waits this long for the bot's answer
        if shape == "json":
            body, ctype = json.dumps(fields).encode(), "application/json"
        elif shape == "multipart":
            text = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
            body, ctype = multipart(text, {"file": ("f.txt", raw or b"x")}), MULTIPART
        else:
            body, ctype = raw, "application/json"
        client.json_request(path.format(chat=chat) + query, body, ctype, verb)
        if path == "/emulator/faults":  # faults inject 5xx on purpose: none for the others
            client.json_request(path, b'{"spec": ""}', "application/json", "POST")

    one_call()
    assert_still_serves(emulator)


updates = st.fixed_dictionaries(
    {"update_id": st.integers(-5, 2**40) | json_values},
    optional={
        "message": st.dictionaries(
            st.sampled_from(["message_id", "date", "chat", "text", "from"]), json_values
        )
        | json_values,
        "callback_query": json_values,
    },
)


def test_random_bodies_to_the_webhook_app(
    emulator: EmulatorHandle, quiet: None, tmp_path: Path
) -> None:
    from telewire import AsyncBot

    handled: list[int] = []
    router = Router()

    @router.message()
    async def seen(ctx: Any) -> None:
        handled.append(ctx.update.update_id)

    app = WebhookApp(
        router,
        bot=AsyncBot(emulator.token, base_url=emulator.base_url),
        secret_token="s3cret",
        inbox=tmp_path / "inbox.db",
    )
    served = Served(app)
    try:

        @settings(EXAMPLES, max_examples=150)
        @given(
            body=st.binary(max_size=120)
            | st.builds(lambda v: json.dumps(v).encode(), json_values | updates),
            secret=st.sampled_from(["s3cret", "s3cret", "", "guess"]),
        )
        def one_post(body: bytes, secret: str) -> None:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            assert served.post(body, headers) in (200, 400, 403), body

        one_post()
        chat = {"id": 1, "type": "private"}
        good = {"update_id": 987654321, "message": {"message_id": 1, "date": 1, "chat": chat}}
        secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        assert served.post(json.dumps(good).encode(), secret) == 200
        deadline = time.monotonic() + 10  # handled in the background, after the 200
        while 987654321 not in handled and time.monotonic() < deadline:
            time.sleep(0.01)
        assert 987654321 in handled
    finally:
        served.stop()
    assert_still_serves(emulator)
