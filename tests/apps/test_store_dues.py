"""Payments due: owed until marked paid, big ones only with approval, listed daily by a job."""

from __future__ import annotations

import asyncio
import calendar
import json
import time
from pathlib import Path

import pytest

from telewire.apps.store.dues import due_jobs, schedule_due_list
from telewire.apps.store.service import NotApproved, Store, StoreError, today
from telewire.jobs import FakeClock, Scheduler
from telewire.storage.sqlite import SQLiteStorage
from telewire.testing import EmulatorHandle, TestUser
from tests.apps.test_store import owner_texts, press_when_asked, store

__all__ = ["store"]  # the fixture, shared with the bill tests


def test_what_is_on_credit_is_due_until_paid_and_late_is_overdue(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    store.issue_bill([("COF", 1)], cashier="ann", payment="cash")  # paid at the till
    on_account = store.issue_bill([("COF", 2)], cashier="ann", payment="account")
    customer = store.add_customer("Dana", None, actor="manager")
    late = store.place_order(
        [("SAN", 1)], customer_id=customer, due="2026-01-02", actor="m", payment="transfer"
    )
    assert [(d["source"], d["total"], d["overdue"]) for d in store.dues()] == [
        (f"order:{late}", 759, True),  # due 2026-01-02, paid within 14 days: long overdue
        (f"bill:{on_account}", 770, False),
    ]
    emulator.send(alice, "/due")
    answer = emulator.wait_for(alice.id, lambda m: (m.text or "").startswith("💶 Owed"))
    assert "15.29 in 2" in (answer.text or "")
    assert f"OVERDUE order #{late}: 7.59, due 2026-01-16" in (answer.text or "")
    assert store.ledger.entries()[-1].kind == "access.due"
    store.mark_paid(f"bill:{on_account}", actor="manager")  # below the limit: no question
    assert [d["source"] for d in store.dues()] == [f"order:{late}"]
    with pytest.raises(StoreError, match=f"bill:{on_account} is not owed"):
        store.mark_paid(f"bill:{on_account}", actor="manager")
    store.cancel_order(late, "gone", actor="manager")
    assert store.dues() == []
    assert store.outbox.flush(10)
    assert any(
        f"💶 bill #{on_account} paid: 7.70 by manager" in t for t in owner_texts(emulator, alice)
    )
    assert not any(e.kind.startswith("approval.") for e in store.ledger.entries())


def test_marking_a_large_amount_paid_needs_the_owners_approval(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    store.add_product("SET", "Espresso machine", "120.00", 2, actor="manager")
    bill_id = store.issue_bill([("SET", 1)], cashier="ann", payment="transfer")
    waiter = press_when_asked(emulator, alice, "❌ Deny")
    with pytest.raises(NotApproved, match="marking paid: not approved by the owner"):
        store.mark_paid(f"bill:{bill_id}", actor="ann")
    waiter.join()
    assert [d["source"] for d in store.dues()] == [f"bill:{bill_id}"]
    waiter = press_when_asked(emulator, alice, "✅ Approve")
    store.mark_paid(f"bill:{bill_id}", actor="ann")
    waiter.join()
    assert store.dues() == []
    assert [e.kind for e in store.ledger.entries()][-2:] == ["approval.approved", "payment.paid"]


def test_the_limit_is_configurable(tmp_path: Path, alice: TestUser) -> None:
    Store.create(tmp_path / "shop", owner_id=alice.id, approve_paid_above="5")
    config = json.loads((tmp_path / "shop" / "config.json").read_text())
    assert config["approve_paid_above"] == "5.00"
    with pytest.raises(ValueError, match="malformed amount"):
        Store.create(tmp_path / "other", owner_id=alice.id, approve_paid_above="lots")


def test_a_daily_job_sends_the_owner_what_is_due(
    store: Store, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    bill_id = store.issue_bill([("COF", 1)], cashier="ann", payment="account")

    async def scenario() -> int:
        storage = SQLiteStorage(str(tmp_path / "jobs.db"))
        clock = FakeClock()
        jobs = Scheduler(storage, clock=clock)
        due_jobs(jobs, store)
        await schedule_due_list(jobs, at="08:00")
        await schedule_due_list(jobs, at="08:00")  # once, however often scheduled
        assert len(await jobs.list()) == 1
        ran = await jobs.run_due()
        clock.advance(24 * 3600)
        ran += await jobs.run_due()
        await storage.close()
        return ran

    assert asyncio.run(scenario()) == 1
    assert store.outbox.flush(10)
    daily = [t for t in owner_texts(emulator, alice) if t.startswith("💶 Owed")]
    assert len(daily) == 1 and f"bill #{bill_id}: 3.85" in daily[0]
    assert "🔗 ledger" in daily[0]  # the list is itself a ledger entry, mirrored
    assert store.ledger.entries()[-1].actor == "job:due"


def test_the_daily_closing_report_includes_orders_and_what_is_owed(
    store: Store, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    from telewire.apps.store.closing import closing_jobs, schedule_closing

    store.issue_bill([("COF", 2)], cashier="ann", payment="account")
    customer = store.add_customer("Dana", None, actor="manager")
    late = store.place_order(
        [("SAN", 1)], customer_id=customer, due="2026-01-02", actor="m", payment="transfer"
    )
    store.advance_order(late, actor="m")

    async def scenario() -> int:
        storage = SQLiteStorage(str(tmp_path / "jobs.db"))
        # Noon today: the report at 20:00 closes today, the day of the bills above.
        clock = FakeClock(calendar.timegm(time.strptime(f"{today()} 12:00", "%Y-%m-%d %H:%M")))
        jobs = Scheduler(storage, clock=clock)
        closing_jobs(jobs, store)
        await schedule_closing(jobs, at="20:00")
        clock.advance(24 * 3600)
        ran = await jobs.run_due()
        await storage.close()
        return ran

    assert asyncio.run(scenario()) == 1
    assert store.outbox.flush(10)
    report = next(t for t in owner_texts(emulator, alice) if t.startswith("🌙 Closing"))
    assert "1 bills, total 7.70" in report and "Open orders: 1 packed" in report
    assert "Owed: 15.29 in 2, overdue 7.59 in 1" in report
    assert [e.kind for e in store.ledger.entries()][-2:] == ["access.closing", "access.report"]
    chart = emulator.wait_for(alice.id, lambda m: bool(m.photo), what="the week's chart")
    assert chart.caption == f"🌙 Sales of the 7 days to {today()}: 7.70"
