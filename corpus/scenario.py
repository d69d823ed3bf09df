"""The timeline: regular series arrive as a Poisson process over the corpus year, the
planted stories at fixed dates; planned mails leave the heap in archive-time order and go
to a sink (the writers and the truth collector)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from pathlib import Path

from corpus.model import END_TS, START_TS, Mail
from corpus.people import Cast, build_cast
from corpus.pitfalls import Pitfalls
from corpus.regular import Regular
from corpus.thread import Engine
from corpus.truth import Truth

#: Measured mean messages per regular story (all versions and replies), used to turn
#: ``scale`` into an arrival rate; the planted stories add about ``PLANTED_MESSAGES``.
MSGS_PER_STORY = 8.3
PLANTED_MESSAGES = 98

Sink = Callable[[Mail, bool], None]  # (mail, is_deletion)


def people_for_scale(scale: int) -> int:
    return max(40, min(4000, 20 + scale // 60))


class Scenario:
    def __init__(self, seed: int, scale: int, tmp_dir: Path, keep_applied: bool = False) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.cast: Cast = build_cast(self.rng, people_for_scale(scale))
        self.truth = Truth(tmp_dir)
        self.engine = Engine(self.rng, self.cast.people, self.truth)
        self.engine.keep_applied = keep_applied
        self.regular = Regular(self.engine, self.cast)
        self.pitfalls = Pitfalls(self.engine, self.cast)

    def run(self, sink: Sink, progress: Callable[[int, int], None] | None = None) -> None:
        rng = self.rng
        stories = max(0.0, (self.scale - PLANTED_MESSAGES) / MSGS_PER_STORY)
        mean_gap = (END_TS - START_TS) / stories if stories else float("inf")
        fixed = self.pitfalls.schedule()
        heap = self.engine.heap
        done = 0
        step = max(1, self.scale // 100)

        def flush(bound: float) -> None:
            nonlocal done
            while heap and heap[0][0] < bound:
                _, _, kind, mail = heapq.heappop(heap)
                if kind == 0 and mail.deleted_at is not None:
                    heapq.heappush(heap, (mail.deleted_at, mail.seq, 1, mail))
                sink(mail, kind == 1)
                done += 1
                if progress is not None and done % step == 0:
                    progress(done, self.scale)

        t_next = START_TS + rng.expovariate(1 / mean_gap) if stories else float("inf")
        i = 0
        while True:
            t_fixed = fixed[i][0] if i < len(fixed) else float("inf")
            t = min(t_fixed, t_next)
            if t >= END_TS - 60:
                break
            flush(t)
            if t_fixed <= t_next:
                fixed[i][1](int(t_fixed))
                i += 1
            else:
                self.regular.start(int(t_next))
                t_next += rng.expovariate(1 / mean_gap)
        flush(float("inf"))
        if progress is not None:
            progress(done, done)
