"""The store's SQLite file: products, customers, bills, orders, refunds, invoices."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from telewire.storage import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price INTEGER NOT NULL CHECK (price >= 0),
    stock INTEGER NOT NULL CHECK (stock >= 0),
    low_stock INTEGER NOT NULL DEFAULT 5
);
CREATE TABLE IF NOT EXISTS customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT
);
CREATE TABLE IF NOT EXISTS bills (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    day TEXT NOT NULL,
    cashier TEXT NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    subtotal INTEGER NOT NULL,
    discount INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    total INTEGER NOT NULL,
    payment TEXT NOT NULL,
    refunded INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS bill_lines (
    bill_id INTEGER NOT NULL REFERENCES bills (id),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_price INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0)
);
CREATE TABLE IF NOT EXISTS refunds (
    id INTEGER PRIMARY KEY,
    bill_id INTEGER NOT NULL REFERENCES bills (id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    due TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'placed',
    subtotal INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    total INTEGER NOT NULL,
    payment TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS order_lines (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_price INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0)
);
CREATE TABLE IF NOT EXISTS couriers (
    user_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    registered REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    courier_id INTEGER NOT NULL REFERENCES couriers (user_id),
    status TEXT NOT NULL,
    reason TEXT,
    proof TEXT,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS shifts (
    id INTEGER PRIMARY KEY,
    person TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    starts REAL NOT NULL,
    ends REAL NOT NULL,
    checked_in REAL,
    checked_out REAL
);
CREATE TABLE IF NOT EXISTS paid (
    source TEXT PRIMARY KEY,
    amount INTEGER NOT NULL,
    paid REAL NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_chats (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    user_id INTEGER NOT NULL,
    linked REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invoices (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    source TEXT NOT NULL,
    customer TEXT NOT NULL,
    subtotal INTEGER NOT NULL,
    discount INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    total INTEGER NOT NULL,
    ledger_ref TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL
);
"""


def open_store(path: Path) -> sqlite3.Connection:
    db = connect(path, rows=True)
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(SCHEMA)
    return db
