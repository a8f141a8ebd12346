"""The owner's dialogs: ``/price`` (pick a product, type the price, confirm) and
``/threshold`` (pick a product, type the level to hear about it).

They are :mod:`telewire.dialogs`, kept in the store's ``state.db``: a bot restarted
mid-dialog carries on with the owner's next answer, and ``/cancel`` leaves. The change
itself goes through the service layer (a ledger entry, mirrored to the owner) after the
last answer, so replaying the dialog never repeats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telewire.apps.store.errors import StoreError
from telewire.apps.store.money import MoneyError, format_amount, parse_amount
from telewire.apps.store.stock import MAX_THRESHOLD
from telewire.dialogs import Dialog, Dialogs, InvalidAnswer

if TYPE_CHECKING:
    from telewire.apps.store.service import Store
    from telewire.jobs import Scheduler
    from telewire.routing.router import Router

TIMEOUT = 15 * 60  # an owner who walked away finds the dialog closed, not half-answered
NO_PRODUCTS = "There are no products yet: add one with `telewire store product add`."


def price_of(text: str) -> int:
    """A typed price in cents, above zero; a clear re-ask otherwise."""
    try:
        cents = parse_amount(text.strip())
    except MoneyError:
        raise InvalidAnswer(f"{text.strip()!r} is not a price: write it like 3.80.") from None
    if cents == 0:
        raise InvalidAnswer("A price must be above 0.00: write it like 3.80.")
    return cents


def level_of(text: str) -> int:
    """A typed threshold: a whole number of items."""
    text = text.strip()
    if not text.isdigit() or int(text) > MAX_THRESHOLD:
        raise InvalidAnswer(
            f"{text!r} is not a number of items: write a whole number like 5 (0: when sold out)."
        )
    return int(text)


def owner_dialogs(router: Router, store: Store, jobs: Scheduler | None = None) -> Dialogs:
    """Add ``/price`` and ``/threshold`` to the owner's ``router`` (after ``owner_only``)."""
    dialogs = Dialogs(router, store.storage, jobs=jobs)

    def choices() -> dict[str, str]:  # labels that do not change with stock or price
        return {f"{p['name']} ({p['sku']})": str(p["sku"]) for p in store.products()}

    @dialogs.dialog(command="price", timeout=TIMEOUT)
    async def price(d: Dialog) -> None:
        if not choices():
            await d.reply(NO_PRODUCTS)
            return
        sku = await d.choose("🏷 Which product's price?", choices(), columns=2)
        name = store.product(sku)["name"]
        old: int = await d.once(lambda: int(store.product(sku)["price"]))
        new = await d.ask(
            f"{name} costs {format_amount(old)}. The new price? (like 3.80; /cancel leaves)",
            parse=price_of,
        )
        if not await d.confirm(
            f"Change the price of {name} from {format_amount(old)} to {format_amount(new)}?"
        ):
            await d.reply("Nothing changed.")
            return
        try:
            store.set_price(sku, format_amount(new), actor="owner", owner_saw=old)
        except StoreError as refused:
            await d.reply(f"⚠️ {refused}")
            return
        await d.reply(f"✅ {name} costs {format_amount(new)} from now on.")

    @dialogs.dialog(command="threshold", timeout=TIMEOUT)
    async def threshold(d: Dialog) -> None:
        if not choices():
            await d.reply(NO_PRODUCTS)
            return
        sku = await d.choose("🔔 Which product should I watch?", choices(), columns=2)
        product = store.product(sku)
        level = await d.ask(
            f"{product['name']}: {product['stock']} in stock, you hear at "
            f"{product['low_stock']} now. Tell you when it is down to how many?",
            parse=level_of,
        )
        store.set_threshold(sku, level, actor="owner")
        stock = store.product(sku)["stock"]
        await d.reply(
            f"✅ I will tell you when {product['name']} is down to {level}."
            + (f" It is already: {stock} left." if stock <= level else "")
        )

    return dialogs
