"""Telling and asking, for any program: outbox, logging handler, approvals, audit ledger."""
