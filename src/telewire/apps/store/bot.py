"""The owner's bot: /sales, /stock, /report week, /verify, the /price and /threshold
dialogs, /closing, and the approval buttons.

Only the owner's chat is served. Run it with ``telewire store bot``; it also delivers
the store's outbox, runs the store's jobs (closing report, payments due, shift reminders)
beside polling, and tells cashier commands (by a heartbeat file) that approvals will be
heard here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from telewire.apps.store.chart import week_chart
from telewire.apps.store.closing import schedule_closing
from telewire.apps.store.deliveries import PREFIX as DELIVERY_PREFIX
from telewire.apps.store.money import format_amount
from telewire.apps.store.owner_dialogs import owner_dialogs
from telewire.apps.store.service import HEARTBEAT, Store, StoreError, today
from telewire.apps.store.shifts import SHIFT_PREFIX
from telewire.core.files import InputFile
from telewire.features.approvals import approvals_router
from telewire.features.ledger import AnchorError, anchor_of_message, post_digest_async
from telewire.routing.context import BaseContext, Context
from telewire.routing.middleware import owner_only
from telewire.routing.router import Router

if TYPE_CHECKING:
    from telewire.jobs import Scheduler

HELP = (
    "I report on your store.\n/sales [YYYY-MM-DD] – the day's bills and totals\n"
    "/stock – products at or below their threshold\n"
    "/price – change a product's price\n/threshold – when to hear that a product runs low\n"
    "/closing HH:MM Area/City – when the daily closing report comes\n"
    "/orders – open orders, soonest due first\n"
    "/link N – a link that lets customer N get their invoices in Telegram\n"
    "/due – what is owed to the store, and what is overdue\n"
    "/shifts [YYYY-MM-DD] – the day's shifts, and who is late\n"
    "/report week – daily sales with a chart\n/invoice bill|order N – its PDF invoice\n"
    "/verify – check that no record was altered; as a reply to one of my 🔗 ledger messages,\n"
    "  check the ledger against it\n/digest – pin today's last ledger entry and its hash"
)


def build_router(store: Store, jobs: Scheduler | None = None) -> Router:
    """Delivery people's buttons and photos first, then everything else for the owner only.

    ``jobs``: the store's scheduler (:func:`~telewire.apps.store.schedule.store_scheduler`),
    run beside polling; ``/closing`` reschedules the report on it, and it closes dialogs
    that time out. Without it ``/closing`` only stores the choice, for the next start.
    """
    top = Router("store")
    top.include(courier_router(store))
    top.include(customer_router(store))
    top.include(owner_router(store, jobs))
    return top


def customer_router(store: Store) -> Router:
    """A customer opening the link the owner handed out (``/link N``) links their chat."""
    router = Router("store.customers")
    links = store.deep_links

    @router.command("start", filter=links.filter())
    async def linked(ctx: Context) -> None:
        try:
            name = store.link_customer_chat(links.payload(ctx) or "", ctx.user_id or 0)
        except StoreError as refused:
            await ctx.reply(f"⚠️ {refused}")
            return
        await ctx.reply(f"Hello {name}! {store.name} will send your invoices here.")

    return router


def courier_router(store: Store) -> Router:
    router = Router("store.couriers")

    @router.callback(prefix=DELIVERY_PREFIX)
    async def step(ctx: Context) -> None:
        number, _, action = (ctx.callback_data or "")[len(DELIVERY_PREFIX) :].partition(":")
        user = ctx.user.id if ctx.user else 0
        try:
            done = store.delivery_step(int(number), user, action)
        except (StoreError, ValueError) as refused:
            await ctx.answer(f"⚠️ {refused}", show_alert=True)
            return
        await ctx.answer(f"Delivery #{number}: {done}")

    @router.callback(prefix=SHIFT_PREFIX)
    async def check(ctx: Context) -> None:
        number, _, way = (ctx.callback_data or "")[len(SHIFT_PREFIX) :].partition(":")
        try:
            told = store.check(int(number), ctx.user.id if ctx.user else 0, way)
        except (StoreError, ValueError) as refused:
            await ctx.answer(f"⚠️ {refused}", show_alert=True)
            return
        await ctx.answer(told)

    def courier_photo(ctx: BaseContext) -> bool:
        message = ctx.message
        return bool(message and message.photo and ctx.user and store.courier_name(ctx.user.id))

    @router.message(courier_photo)
    async def proof(ctx: Context) -> None:
        assert ctx.message is not None and ctx.message.photo and ctx.user is not None
        caption = (ctx.message.caption or "").strip().lstrip("#")
        if not caption.isdigit():
            await ctx.reply("Send the photo with the delivery's number as caption, e.g. #3")
            return
        try:
            store.attach_proof(int(caption), ctx.user.id, ctx.message.photo[-1].file_id)
        except StoreError as refused:
            await ctx.reply(f"⚠️ {refused}")
            return
        await ctx.reply(f"📷 Kept as proof for delivery #{caption}.")

    return router


def owner_router(store: Store, jobs: Scheduler | None = None) -> Router:
    router = Router("store.owner")
    router.use(owner_only([store.owner_id]))
    router.include(approvals_router(store.book))
    owner_dialogs(router, store, jobs)

    @router.command("start", "help")
    async def start(ctx: Context) -> None:
        await ctx.reply(HELP)

    @router.command("sales")
    async def sales(ctx: Context) -> None:
        day = ctx.args[0] if ctx.args else today()
        report = store.sales(day, actor="owner")
        lines = [
            f"📊 Sales {day}: {report['bills']} bills, total {format_amount(report['total'])}",
            f"tax {format_amount(report['tax'])}, refunded {format_amount(report['refunded'])}",
        ]
        lines += [
            f"  {cashier}: {format_amount(total)}"
            for cashier, total in report["by_cashier"].items()
        ]
        await ctx.reply("\n".join(lines))

    @router.command("stock")
    async def stock(ctx: Context) -> None:
        low = store.low_stock()
        store.ledger.record("access.stock", actor="owner", data={"low": len(low)})
        if not low:
            await ctx.reply("✅ Nothing is at or below its threshold (/threshold sets them).")
            return
        await ctx.reply(
            "⚠️ Running low:\n"
            + "\n".join(
                f"  {p['sku']} {p['name']}: {p['stock']} left (threshold {p['low_stock']})"
                for p in low
            )
        )

    @router.command("closing")
    async def closing(ctx: Context) -> None:
        if not ctx.args:
            at, tz = store.closing_time()
            await ctx.reply(
                f"🌙 The closing report comes every day at {at} {tz}. "
                "Change it like this: /closing 21:30 Europe/Berlin"
            )
            return
        if len(ctx.args) != 2:
            await ctx.reply("Say when, and in which time zone: /closing 21:30 Europe/Berlin")
            return
        try:
            at, tz = store.set_closing_time(ctx.args[0], ctx.args[1], actor="owner")
        except StoreError as refused:
            await ctx.reply(f"⚠️ {refused}")
            return
        if jobs is None:
            await ctx.reply(f"🌙 Noted: {at} {tz}, from the bot's next start.")
            return
        scheduled = await schedule_closing(jobs, at=at, tz=tz)
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(scheduled.next_run or 0))
        await ctx.reply(f"🌙 The closing report comes every day at {at} {tz}; next: {when}.")

    @router.command("link")
    async def link(ctx: Context) -> None:
        if len(ctx.args) != 1 or not ctx.args[0].isdigit():
            await ctx.reply("Say which customer: /link 3 (their number, from `customer find`)")
            return
        me = await ctx.bot.get_me()
        try:
            url = store.customer_link(int(ctx.args[0]), me.username or "", actor="owner")
        except StoreError as refused:
            await ctx.reply(f"⚠️ {refused}")
            return
        await ctx.reply(
            f"Send customer {ctx.args[0]} this link; once they press Start in it, their "
            f"invoices go to their own chat:\n{url}"
        )

    @router.command("orders")
    async def orders(ctx: Context) -> None:
        open_orders = store.open_orders(actor="owner")
        if not open_orders:
            await ctx.reply("✅ No open orders.")
            return
        await ctx.reply(
            f"📦 {len(open_orders)} open orders:\n"
            + "\n".join(
                f"  #{o['id']} {o['status']}, due {o['due']}: {o['customer']}, "
                f"{format_amount(o['total'])}"
                for o in open_orders
            )
        )

    @router.command("shifts")
    async def shifts(ctx: Context) -> None:
        day = ctx.args[0] if ctx.args else today()
        rows = store.shifts_of(day, actor="owner")
        if not rows:
            await ctx.reply(f"🗓 No shifts on {day}.")
            return
        lines = [f"🗓 Shifts {day}:"]
        for row in rows:
            start = time.strftime("%H:%M", time.localtime(row["starts"]))
            state = "out" if row["checked_out"] else "in" if row["checked_in"] else "not in"
            lines.append(
                f"  {start} {row['person']}: {state}" + (" ⏰ LATE" if row["late"] else "")
            )
        await ctx.reply("\n".join(lines))

    @router.command("due")
    async def due(ctx: Context) -> None:
        await ctx.reply(store.due_list(actor="owner"))

    @router.command("invoice")
    async def invoice(ctx: Context) -> None:
        if len(ctx.args) != 2 or not ctx.args[1].isdigit():
            await ctx.reply("Try /invoice bill 12 or /invoice order 3")
            return
        try:
            invoice_id, pdf = store.make_invoice(ctx.args[0], int(ctx.args[1]), actor="owner")
        except StoreError as refused:
            await ctx.reply(f"⚠️ {refused}")
            return
        await ctx.bot.send_document(
            chat_id=store.owner_id,
            document=InputFile(pdf, filename=f"invoice-{invoice_id}.pdf"),
            caption=f"Invoice #{invoice_id} for {ctx.args[0]} #{ctx.args[1]}",
        )

    @router.command("report")
    async def report(ctx: Context) -> None:
        if ctx.args[:1] != ["week"]:
            await ctx.reply("Try /report week")
            return
        days = store.week(actor="owner")
        total = sum(t for _, t in days)
        png = week_chart(days)
        await ctx.bot.send_photo(
            chat_id=store.owner_id,
            photo=InputFile(png, filename="week.png"),
            caption=f"Last 7 days: {format_amount(total)} in all",
        )

    @router.command("verify")
    async def verify(ctx: Context) -> None:
        replied = ctx.message.reply_to_message if ctx.message else None
        anchors = []
        if replied is not None:
            try:
                anchors = [anchor_of_message(replied, ctx.bot.token.bot_id)]
            except AnchorError as refused:
                await ctx.reply(f"⚠️ Not checked: {refused}.")
                return
        problems = store.verify(anchors)
        if problems:
            await ctx.reply(
                "🚨 Records were altered:\n" + "\n".join(f"• {p}" for p in problems[:20])
            )
        elif anchors:
            await ctx.reply(
                f"✅ Entry #{anchors[0].seq} matches the message you replied to; the ledger "
                "after it is consistent with itself, and every bill matches its seal."
            )
        else:
            await ctx.reply(
                "✅ Consistent with itself; nothing external checked. Every bill matches its "
                "seal and the ledger's chain is whole, but only your chat can show that it "
                "was not rewritten: reply /verify to one of my 🔗 ledger messages (or the "
                "pinned digest) to check against it."
            )

    @router.command("digest")
    async def digest(ctx: Context) -> None:
        await post_digest_async(store.ledger.source, ctx.bot, store.owner_id)

    return router


def run_bot(store: Store, **polling: Any) -> None:
    """Serve the owner until SIGINT/SIGTERM (blocking), the store's jobs running beside."""
    import asyncio

    from telewire.apps.store.schedule import start_jobs, store_scheduler
    from telewire.updates.polling import run_polling

    store.outbox.start()
    (store.folder / HEARTBEAT).write_text(str(time.time()))
    beat = _Heartbeat(store)
    jobs = store_scheduler(store)
    try:
        asyncio.run(start_jobs(jobs, store))
        run_polling(
            build_router(store, jobs), offsets=store.folder / "bot.offset", jobs=jobs, **polling
        )
    finally:
        beat.stop()
        (store.folder / HEARTBEAT).unlink(missing_ok=True)


class _Heartbeat:
    def __init__(self, store: Store) -> None:
        import threading

        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(store,), daemon=True)
        self._thread.start()

    def _run(self, store: Store) -> None:
        while not self._stop.wait(10):
            (store.folder / HEARTBEAT).write_text(str(time.time()))

    def stop(self) -> None:
        self._stop.set()
