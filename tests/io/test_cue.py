"""The Cue model and its fast builder."""

from __future__ import annotations

import dataclasses

import pytest

from customer_snapshot.io.cue import Cue, _CueBuilder, make_cue


def test_builder_has_the_same_slot_layout() -> None:
    assert _CueBuilder.__slots__ == Cue.__slots__
    assert tuple(f.name for f in dataclasses.fields(Cue)) == Cue.__slots__


def test_fast_cue_is_a_real_frozen_cue() -> None:
    fast = make_cue("7", 1.5, 2.0, "<v A>hi", "hi", "A", {"align": "start"}, 12, None)
    slow = Cue("7", 1.5, 2.0, "<v A>hi", "hi", "A", {"align": "start"}, 12, None)
    assert type(fast) is Cue and fast == slow and repr(fast) == repr(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.text = "changed"  # type: ignore[misc]
    assert dataclasses.replace(fast, text="x").text == "x"
    assert fast.duration == 0.5 and fast.to_dict()["line"] == 12
