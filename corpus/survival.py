"""The Kaplan–Meier median the planted subsystem latencies are computed with."""

from __future__ import annotations

from collections.abc import Iterator


def km_median(durations: list[tuple[float, bool]]) -> float | None:
    """Kaplan–Meier median of (duration, observed) pairs; None when S(t) never reaches 0.5."""
    at_risk = len(durations)
    surv = 1.0
    for t, group in _groups(sorted(durations)):
        events = sum(1 for obs in group if obs)
        if events:
            surv *= 1 - events / at_risk
            if surv <= 0.5 + 1e-9:  # S(t) = 0.5 exactly, up to float rounding
                return t
        at_risk -= len(group)
    return None


def _groups(items: list[tuple[float, bool]]) -> Iterator[tuple[float, list[bool]]]:
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[j][0] == items[i][0]:
            j += 1
        yield items[i][0], [obs for _, obs in items[i:j]]
        i = j
