"""The workshop's naive loop with requests: one request after another, no session."""

import os

import requests

BASE = f"{os.environ['API_URL']}/bot{os.environ['BOT_TOKEN']}"
offset = 0
while True:
    updates = requests.get(
        f"{BASE}/getUpdates", params={"offset": offset, "timeout": 10}, timeout=30
    ).json()["result"]
    for update in updates:
        message = update["message"]
        requests.get(
            f"{BASE}/sendMessage",
            params={"chat_id": message["chat"]["id"], "text": message["text"]},
            timeout=30,
        )
        offset = update["update_id"] + 1
