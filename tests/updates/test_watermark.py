"""The watermark confirms exactly the updates whose handling finished, in any order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from telewire.updates.watermark import Watermark


def test_out_of_order_finishing_only_confirms_a_contiguous_prefix() -> None:
    mark = Watermark()
    for uid in (10, 11, 12, 13):
        mark.received(uid)
    assert mark.confirmed == 10
    mark.finished(12)
    mark.finished(11)
    assert mark.confirmed == 10
    mark.finished(10)
    assert mark.confirmed == 13
    mark.finished(13)
    assert mark.confirmed == 14


def test_already_received_updates_are_not_new() -> None:
    mark = Watermark(start=50)
    assert mark.confirmed == 50
    assert not mark.is_new(49) and mark.is_new(50)
    mark.received(50)
    assert not mark.is_new(50)


@given(st.permutations(list(range(1, 30))))
def test_confirmed_is_always_the_lowest_unfinished(order: list[int]) -> None:
    mark = Watermark()
    for uid in range(1, 30):
        mark.received(uid)
    done: set[int] = set()
    for uid in order:
        mark.finished(uid)
        done.add(uid)
        lowest_unfinished = min(set(range(1, 30)) - done, default=30)
        assert mark.confirmed == lowest_unfinished
