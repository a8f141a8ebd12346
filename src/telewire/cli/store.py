"""``telewire store``: the till. Every command is recorded and the owner hears of it.

telewire store init --owner 123456789 --tax 10
telewire store product add COF "Coffee" 3.50 --stock 40
telewire store login ann                      (the owner approves in Telegram)
telewire store bill --cashier ann COF:2 CRO:1 --payment card
telewire store refund 17 3.50 --reason "cold coffee" --by ann     (owner approves)
telewire store order place COF:2 --customer 1 --due 2026-12-24 --payment account
telewire store invoice bill 17                (a PDF to the owner, or to the linked customer)
telewire store due list | due paid bill:17    (the owner approves large amounts)
telewire store bot      (the owner's bot: /sales /stock /price /threshold /closing /orders /due
                         /link /invoice /report week /verify; runs the store's jobs)
telewire store demo [--script]                (all of it against the built-in emulator)
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from telewire.cli.arguments import port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from telewire.paths import state_file

    parser.add_argument("--dir", help=f"the store's folder (default: {state_file('store')})")
    sub = parser.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    init = sub.add_parser("init", help="create a store")
    init.add_argument("--owner", type=int, required=True, help="the owner's Telegram chat id")
    init.add_argument("--tax", default="0", help="tax rate in percent (e.g. 10 or 7.5)")
    product = sub.add_parser("product", help="add, list, reprice or restock products")
    product.add_argument("action", choices=["add", "list", "price", "restock"])
    product.add_argument(
        "values", nargs="*", help="add: SKU NAME PRICE; price: SKU PRICE; restock: SKU N"
    )
    product.add_argument("--stock", type=int, default=0)
    product.add_argument("--by", default="manager", help="who does it (recorded)")
    customer = sub.add_parser("customer", help="add or look up customers")
    customer.add_argument("action", choices=["add", "find"])
    customer.add_argument("value", help="add: NAME; find: part of a name or phone")
    customer.add_argument("--phone")
    customer.add_argument("--by", default="manager")
    login = sub.add_parser("login", help="sign a cashier in (the owner approves)")
    login.add_argument("cashier")
    bill = sub.add_parser("bill", help="issue a bill: SKU:QTY ...")
    bill.add_argument("lines", nargs="+", metavar="SKU:QTY")
    bill.add_argument("--cashier", required=True)
    bill.add_argument("--discount", default="0")
    bill.add_argument("--payment", default="cash", choices=["cash", "card", "transfer", "account"])
    bill.add_argument("--customer", type=int)
    order = sub.add_parser("order", help="place, list, advance or cancel customer orders")
    order.add_argument("action", choices=["place", "list", "advance", "cancel"])
    order.add_argument("values", nargs="*", help="place: SKU:QTY ...; advance/cancel: ORDER")
    order.add_argument("--customer", type=int, help="place: the customer's number")
    order.add_argument("--due", help="place: the day it is due (YYYY-MM-DD)")
    order.add_argument("--payment", default="cash", choices=["cash", "card", "transfer", "account"])
    order.add_argument("--reason", default="", help="cancel: why (the owner sees it)")
    order.add_argument("--by", default="manager")
    delivery = sub.add_parser(
        "delivery", help="register a delivery person (the owner approves), or assign an order"
    )
    delivery.add_argument("action", choices=["register", "assign"])
    delivery.add_argument("values", nargs=2, help="register: USER_ID NAME; assign: ORDER USER_ID")
    delivery.add_argument("--by", default="owner")
    shift = sub.add_parser("shift", help="plan a shift: PERSON USER_ID 'YYYY-MM-DD HH:MM' HOURS")
    shift.add_argument("values", nargs=4, metavar="PERSON USER_ID START HOURS")
    shift.add_argument("--by", default="owner")
    invoice = sub.add_parser("invoice", help="a PDF invoice for a bill or order, to the owner")
    invoice.add_argument("kind", choices=["bill", "order"])
    invoice.add_argument("number", type=int)
    invoice.add_argument("--by", default="manager")
    due = sub.add_parser("due", help="what is owed (list), or mark it paid (paid bill:N)")
    due.add_argument("action", choices=["list", "paid"])
    due.add_argument("source", nargs="?", help="paid: bill:N or order:N")
    due.add_argument("--by", default="manager")
    receipt = sub.add_parser("receipt", help="print a bill")
    receipt.add_argument("bill", type=int)
    refund = sub.add_parser("refund", help="refund (part of) a bill (the owner approves)")
    refund.add_argument("bill", type=int)
    refund.add_argument("amount")
    refund.add_argument("--reason", required=True)
    refund.add_argument("--by", required=True)
    delete = sub.add_parser("delete-bill", help="delete a bill (the owner approves)")
    delete.add_argument("bill", type=int)
    delete.add_argument("--by", required=True)
    sales = sub.add_parser("sales", help="a day's sales (recorded as an access)")
    sales.add_argument("day", nargs="?")
    sales.add_argument("--by", default="manager")
    export = sub.add_parser("export", help="export all bills as CSV (the owner approves)")
    export.add_argument("file")
    export.add_argument("--by", required=True)
    verify = sub.add_parser(
        "verify", help="check the records against the ledger (and the owner's chat)"
    )
    verify.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH")
    verify.add_argument(
        "--export",
        action="append",
        default=[],
        metavar="RESULT_JSON",
        help="a Telegram Desktop export (JSON) of the owner's chat with the bot",
    )
    sub.add_parser("shell", help="an interactive till: type the actions above, one per line")
    sub.add_parser(
        "bot", help="run the owner's bot, deliver the owner's messages and run the store's jobs"
    )
    demo = sub.add_parser("demo", help="a store against the built-in emulator")
    demo.add_argument(
        "--script", action="store_true", help="play it all through, print the owner's chat"
    )
    demo.add_argument("--port", type=port, default=8081)


def _folder(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from telewire.paths import state_dir

    return Path(args.dir) if args.dir else state_dir() / "store"


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(title)
        for row in rows:
            print("  " + "  ".join(str(v) for v in row))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    Console().print(table)


def _lines(raw: list[str]) -> list[tuple[str, int]]:
    from telewire.apps.store.service import StoreError

    lines = []
    for item in raw:
        sku, _, quantity = item.partition(":")
        try:
            lines.append((sku, int(quantity or "1")))
        except ValueError:
            raise StoreError(
                f"write bill lines as SKU:QUANTITY, e.g. COF:2 (not {item!r})"
            ) from None
    return lines


def run(args: argparse.Namespace) -> int:
    from telewire.apps.store.service import Store, StoreError

    command = args.store_command
    try:
        if command == "init":
            path = Store.create(_folder(args), owner_id=args.owner, tax_percent=args.tax)
            print(f"store created in {path}; the owner is chat {args.owner}")
            return 0
        if command == "demo":
            from telewire.apps.store.demo import run_demo

            return run_demo(script=args.script, port=args.port, folder=args.dir)
        store = Store(_folder(args))
    except StoreError as exc:
        print(f"telewire store: {exc}", file=sys.stderr)
        return 1
    if command == "bot":
        from telewire.apps.store.bot import run_bot

        run_bot(store)
        return 0
    if command == "shell":
        try:
            return _shell(store, args)
        finally:
            store.close()
    try:
        return _act(store, args)
    except StoreError as exc:
        print(f"telewire store: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _act(store: Any, args: argparse.Namespace) -> int:
    import time

    from telewire.apps.store.money import format_amount
    from telewire.apps.store.service import StoreError, today

    command = args.store_command
    if command == "product":
        values = args.values
        if args.action == "add" and len(values) == 3:
            store.add_product(values[0], values[1], values[2], args.stock, actor=args.by)
        elif args.action == "price" and len(values) == 2:
            store.set_price(values[0], values[1], actor=args.by)
        elif args.action == "restock" and len(values) == 2 and values[1].isdigit():
            store.restock(values[0], int(values[1]), actor=args.by)
        elif args.action == "list":
            _table(
                "Products",
                ["SKU", "Name", "Price", "Stock"],
                [
                    [p["sku"], p["name"], format_amount(p["price"]), p["stock"]]
                    for p in store.products()
                ],
            )
        else:
            raise StoreError(
                "usage: product add SKU NAME PRICE | price SKU PRICE | restock SKU N | list"
            )
    elif command == "customer":
        if args.action == "add":
            print(f"customer #{store.add_customer(args.value, args.phone, actor=args.by)} added")
        else:
            rows = store.find_customers(args.value, actor=args.by)
            _table(
                "Customers",
                ["#", "Name", "Phone"],
                [[c["id"], c["name"], c["phone"] or ""] for c in rows],
            )
    elif command == "login":
        store.login(args.cashier)
        print(f"cashier {args.cashier} signed in")
    elif command == "bill":
        store.require_session(args.cashier)
        bill_id = store.issue_bill(
            _lines(args.lines),
            cashier=args.cashier,
            customer_id=args.customer,
            discount=args.discount,
            payment=args.payment,
        )
        print(store.receipt(bill_id))
    elif command == "order":
        _order(store, args)
    elif command == "delivery":
        first, second = args.values
        if args.action == "register" and first.isdigit():
            store.register_courier(int(first), second, actor=args.by)
            print(f"{second} (user {first}) may now take deliveries")
        elif args.action == "assign" and first.isdigit() and second.isdigit():
            number = store.assign_delivery(int(first), int(second), actor=args.by)
            print(f"delivery #{number}: order #{first} sent to user {second}")
        else:
            raise StoreError("usage: delivery register USER_ID NAME | assign ORDER USER_ID")
    elif command == "shift":
        person, user, start, hours = args.values
        try:
            starts = time.mktime(time.strptime(start, "%Y-%m-%d %H:%M"))
            length = float(hours) * 3600
            user_id = int(user)
        except ValueError:
            raise StoreError(
                "usage: shift PERSON USER_ID 'YYYY-MM-DD HH:MM' HOURS, e.g. ann 42 "
                "'2026-12-24 08:00' 8"
            ) from None
        number = store.plan_shift(person, user_id, starts, starts + length, actor=args.by)
        print(f"shift #{number} planned for {person}")
    elif command == "invoice":
        invoice_id = store.send_invoice(args.kind, args.number, actor=args.by)
        linked = store.customer_chat(store.customer_of(args.kind, args.number)) is not None
        to = "the customer's chat" if linked else "the owner"
        print(f"invoice #{invoice_id} for {args.kind} #{args.number} sent to {to}")
    elif command == "due":
        if args.action == "paid" and args.source:
            store.mark_paid(args.source, actor=args.by)
            print(f"{args.source} marked paid")
        elif args.action == "list":
            print(store.due_list(actor=args.by))
        else:
            raise StoreError("usage: due list | due paid bill:N")
    elif command == "receipt":
        print(store.receipt(args.bill))
    elif command == "refund":
        store.refund(args.bill, args.amount, args.reason, actor=args.by)
        print(f"refunded {args.amount} of bill #{args.bill}")
    elif command == "delete-bill":
        store.delete_bill(args.bill, actor=args.by)
        print(f"bill #{args.bill} deleted")
    elif command == "sales":
        report = store.sales(args.day or today(), actor=args.by)
        _table(
            f"Sales {report['day']}",
            ["Bills", "Total", "Tax", "Refunded"],
            [
                [
                    report["bills"],
                    format_amount(report["total"]),
                    format_amount(report["tax"]),
                    format_amount(report["refunded"]),
                ]
            ],
        )
    elif command == "export":
        print(f"exported to {store.export(args.file, actor=args.by)}")
    elif command == "verify":
        return _verify(store, args)
    return 0


def _order(store: Any, args: argparse.Namespace) -> None:
    from telewire.apps.store.money import format_amount
    from telewire.apps.store.service import StoreError

    values = args.values
    if args.action == "place" and values and args.customer is not None and args.due:
        order_id = store.place_order(
            _lines(values), customer_id=args.customer, due=args.due, actor=args.by,
            payment=args.payment,
        )  # fmt: skip
        print(f"order #{order_id} placed, total {format_amount(store.order(order_id)['total'])}")
    elif args.action == "list":
        _table(
            "Open orders",
            ["#", "Status", "Due", "Customer", "Total"],
            [
                [o["id"], o["status"], o["due"], o["customer"], format_amount(o["total"])]
                for o in store.open_orders(actor=args.by)
            ],
        )
    elif args.action == "advance" and len(values) == 1 and values[0].isdigit():
        print(f"order #{values[0]} is now {store.advance_order(int(values[0]), actor=args.by)}")
    elif args.action == "cancel" and len(values) == 1 and values[0].isdigit():
        store.cancel_order(int(values[0]), args.reason or "no reason given", actor=args.by)
        print(f"order #{values[0]} cancelled")
    else:
        raise StoreError(
            "usage: order place SKU:QTY ... --customer N --due YYYY-MM-DD | list | "
            "advance ORDER | cancel ORDER --reason TEXT"
        )


def _verify(store: Any, args: argparse.Namespace) -> int:
    from telewire.features.ledger import anchors_from_export, parse_anchor

    anchors = [parse_anchor(text) for text in args.anchor]
    for export in args.export:
        anchors += anchors_from_export(export).anchors
    problems = store.verify(anchors)
    if problems:
        print("records ALTERED:\n" + "\n".join(f"  {p}" for p in problems))
        return 1
    head = store.ledger.head()
    if anchors:
        latest = max(a.seq for a in anchors)
        print(
            f"records intact: every bill matches its seal, and the ledger matches "
            f"{len(set(anchors))} anchors from the owner's chat (the latest is #{latest})"
        )
    else:
        print(
            f"records consistent with the ledger, and the ledger with itself (head "
            f"#{head.seq if head else 0}); nothing external checked: pass --export result.json "
            "(a Telegram Desktop export of the owner's chat) or --anchor SEQ:HASH"
        )
    return 0


def _shell(store: Any, outer: argparse.Namespace) -> int:
    """Read actions line by line (``bill --cashier ann COF:2``...) until ``quit`` or EOF."""
    import shlex

    from telewire.apps.store.service import StoreError

    parser = argparse.ArgumentParser(prog="", add_help=False, exit_on_error=False)
    add_arguments(parser)
    interactive = sys.stdin.isatty()
    if interactive:
        print(
            "telewire till: type an action (bill, receipt, product list, sales, refund...), "
            "'help', or 'quit'."
        )
    while True:
        try:
            line = input("till> " if interactive else "")
        except EOFError:
            return 0
        words = shlex.split(line)
        if not words:
            continue
        if words[0] in ("quit", "exit"):
            return 0
        if words[0] == "help":
            parser.print_help()
            continue
        if words[0] in ("init", "demo", "shell", "bot"):
            print(f"'{words[0]}' is not available inside the till")
            continue
        try:
            args = parser.parse_args(["--dir", str(store.folder), *words])
            _act(store, args)
        except (argparse.ArgumentError, SystemExit) as exc:
            print(
                f"not understood: {exc}"
                if isinstance(exc, argparse.ArgumentError)
                else "try 'help'"
            )
        except StoreError as exc:
            print(f"refused: {exc}")
