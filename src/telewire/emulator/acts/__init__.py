"""What users do beyond writing and pressing: inline queries, votes, payments, joining.

Each module holds one family's user side; the bot's side is in ``emulator.methods``.
The control API (``control_acts.py``), the chat page and the pytest plugin call these.
"""
