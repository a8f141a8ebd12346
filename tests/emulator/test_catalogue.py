"""The README's lists of users' acts and emulated methods are the code's (no drift)."""

from __future__ import annotations

import subprocess
import sys

from telewire.emulator import catalogue
from telewire.emulator.control_acts import ROUTE_PATHS
from telewire.testing import EmulatorHandle
from tests.conftest import ROOT


def test_the_readme_lists_are_generated_from_the_code() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "emulator_readme.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_act_route_and_helper_exists(emulator: EmulatorHandle) -> None:
    server = emulator.server.server  # type: ignore[attr-defined]
    routes = {
        f"{r.method} {r.resource.canonical}"
        for r in server.app.router.routes()
        if r.resource is not None
    }
    listed = {act.route for act in catalogue.acts()}
    assert listed <= routes
    assert {f"POST {path}" for path in ROUTE_PATHS} <= listed
    for act in catalogue.acts():
        assert act.summary, act.route
        for helper in act.helpers:
            assert callable(getattr(emulator, helper)), helper


def test_at_least_120_methods_are_emulated_and_the_rest_say_so() -> None:
    methods = catalogue.emulated_methods()
    assert sum(len(names) for names in methods.values()) >= 120
    assert "sendInvoice" in methods["payments"] and "verifyUser" in catalogue.unsupported_methods()
