"""The classification of a batch's copies (ingest/load/copies.py), case by case."""

from __future__ import annotations

import pytest

from ingest.load.copies import classify, new_lists

A, B = "a@example.org", "b@example.org"

# (what the case is, the batch as (Message-ID, content hash, list, location) rows, what is
# stored as {Message-ID: (hash, lists)}, stored locations, deleted Message-IDs,
# expected (row, kind) sources, expected new {Message-ID: row}, expected list updates,
# expected (cross-posted, duplicate) counts)
CASES = [
    ("a new mail", [("m", "h", A, 1)], {}, set(), set(),
     [(0, "first")], {"m": 0}, {}, (0, 0)),
    ("the same copy read again: not recorded", [("m", "h", A, 1)], {"m": ("h", {A})}, {1},
     set(), [], {}, {}, (0, 1)),
    ("stored, same list, same content", [("m", "h", A, 2)], {"m": ("h", {A})}, {1}, set(),
     [(0, "same-content")], {}, {}, (0, 1)),
    ("stored, same list, other content", [("m", "x", A, 2)], {"m": ("h", {A})}, set(),
     set(), [(0, "different-content")], {}, {}, (0, 1)),
    ("stored, another list: cross-posted even when changed", [("m", "x", B, 2)],
     {"m": ("h", {A})}, set(), set(), [(0, "other-list")], {}, {"m": {B}}, (1, 0)),
    ("deleted from a v2 archive: not brought back", [("m", "h", A, 1)], {}, set(), {"m"},
     [(0, "deleted")], {}, {}, (0, 1)),
    ("twice in one batch from two lists", [("m", "h", A, 1), ("m", "h", B, 2)], {}, set(),
     set(), [(0, "first"), (1, "other-list")], {"m": 0}, {"m": {B}}, (1, 0)),
    ("twice in one batch from one list", [("m", "h", A, 1), ("m", "h", A, 2)], {}, set(),
     set(), [(0, "first"), (1, "same-content")], {"m": 0}, {}, (0, 1)),
    ("a list-less copy (mbox) of a stored mail", [("m", "h", None, 3)], {"m": ("h", {A})},
     set(), set(), [(0, "same-content")], {}, {}, (0, 1)),
    ("third list after a cross-post in the batch",
     [("m", "h", A, 1), ("m", "h", B, 2), ("m", "h", "c@x", 3), ("m", "h", B, 4)], {},
     set(), set(), [(0, "first"), (1, "other-list"), (2, "other-list"), (3, "same-content")],
     {"m": 0}, {"m": {B, "c@x"}}, (2, 1)),
]


@pytest.mark.parametrize(("case", "batch", "stored", "locations", "deleted", "sources",
                          "new", "updates", "counts"), CASES, ids=[c[0] for c in CASES])
def test_classify(case, batch, stored, locations, deleted, sources, new, updates, counts):
    ids, hashes, lists, where = (list(col) for col in zip(*batch, strict=True))
    got = classify(ids, hashes, lists, where, stored=stored, stored_locations=locations,
                   deleted=deleted)
    assert got.sources == sources
    assert got.new == new
    assert got.list_updates == updates
    assert (got.cross_posted, got.duplicate) == counts


def test_a_new_mail_gets_the_lists_of_all_its_copies_in_the_batch():
    ids, lists = ["m", "m", "n"], [A, B, None]
    got = classify(ids, ["h", "h", "h"], lists, [1, 2, 3], stored={}, stored_locations=set(),
                   deleted=set())
    assert new_lists(got, lists, ids) == [[A, B], []]
