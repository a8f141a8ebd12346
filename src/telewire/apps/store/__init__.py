"""A small store manager whose owner sees every bill and approves what matters.

The motivating case: a manager logged meagre sales and pocketed the rest. Here every
bill and every look at the data is written to a tamper-evident ledger and sent to the
owner at once; refunds, deletions, price changes, exports and cashier sign-ins happen
only after the owner presses Approve.
"""
