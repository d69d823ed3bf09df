"""The timeline: regular series arrive as a Poisson process over the corpus year, the
planted stories at fixed dates; planned mails leave the heap in archive-time order.

The traffic is split into ``SHARDS`` independent **shards**: each has its own random
stream (derived from the seed and the shard number), its own arrival process at
1/``SHARDS`` of the rate, its own Message-ID sequence numbers (``shard``, ``shard +
SHARDS``, …) and its own part of the subject space, so that shards can be planned and
rendered in parallel processes and merged by (archive time, sequence number) into the same
bytes whatever the number of processes.  The planted stories live in shard 0.  ``SHARDS``
is part of the corpus definition: changing it changes every file of a given seed.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
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
SHARDS = 2

#: (time, seq, 0 = add / 1 = delete, mail): the order in which mails reach the archives
Event = tuple[int, int, int, Mail]


def people_for_scale(scale: int) -> int:
    return max(40, min(4000, 20 + scale // 60))


def shard_seed(seed: int, shard: int) -> str:
    """The random stream of one shard (a str seed is hashed with SHA-512 by ``random``,
    so it is the same on every platform and Python run)."""
    return f"lorelens-corpus/{seed}/shard-{shard}-of-{SHARDS}"


class Scenario:
    """One shard of the corpus: the shared cast (from ``seed`` alone) and this shard's
    stories, planned and rendered in archive-time order by ``events``."""

    def __init__(
        self,
        seed: int,
        scale: int,
        tmp_dir: Path,
        keep_applied: bool = False,
        shard: int = 0,
    ) -> None:
        self.scale = scale
        self.shard = shard
        self.cast: Cast = build_cast(random.Random(seed), people_for_scale(scale))
        self.rng = random.Random(shard_seed(seed, shard))
        self.truth = Truth(tmp_dir / f"shard-{shard}")
        self.engine = Engine(self.rng, self.cast.people, self.truth, shard=shard, shards=SHARDS)
        self.engine.keep_applied = keep_applied
        self.regular = Regular(self.engine, self.cast)
        self.pitfalls = Pitfalls(self.engine, self.cast)

    def events(self) -> Iterator[Event]:
        """Plan the shard's stories in time order and yield each mail (and the v2
        deletion) as soon as no story still to be planned can put an earlier one before
        it: every mail of a story arrives after the story starts."""
        rng = self.rng
        stories = max(0.0, (self.scale - PLANTED_MESSAGES) / MSGS_PER_STORY) / SHARDS
        mean_gap = (END_TS - START_TS) / stories if stories else float("inf")
        fixed = self.pitfalls.schedule() if self.shard == 0 else []
        heap = self.engine.heap
        push, pop = heapq.heappush, heapq.heappop

        def flush(bound: float) -> Iterator[Event]:
            while heap and heap[0][0] < bound:
                ev = pop(heap)
                mail = ev[3]
                if ev[2] == 0 and mail.deleted_at is not None:
                    push(heap, (mail.deleted_at, mail.seq, 1, mail))
                yield ev

        t_next = START_TS + rng.expovariate(1 / mean_gap) if stories else float("inf")
        i = 0
        while True:
            t_fixed = fixed[i][0] if i < len(fixed) else float("inf")
            t = min(t_fixed, t_next)
            if t >= END_TS - 60:
                break
            yield from flush(t)
            if t_fixed <= t_next:
                fixed[i][1](int(t_fixed))
                i += 1
            else:
                self.regular.start(int(t_next))
                t_next += rng.expovariate(1 / mean_gap)
        yield from flush(float("inf"))
