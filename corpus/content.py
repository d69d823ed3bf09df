"""Text of the mails: commit messages, unified diffs with diffstats, review replies, bot
reports.  Diff hunks and sentences are pre-rendered once per corpus (seeded) and then only
picked, so that a million messages stay fast.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass

from corpus.maintainers import SECTIONS

PREFIX = {
    "ACME FROB CONTROLLER DRIVER": "frob: acme:",
    "ACME WIDGET PLATFORM SUPPORT": "arm64: dts: acme:",
    "FROB CORE": "frob: core:",
    "FROB LEGACY DRIVERS": "frob: legacy:",
    "FROB RUST BINDINGS": "rust: frob:",
    "FROB SUBSYSTEM": "frob:",
    "WIDGET GPIO DRIVERS": "widget: gpio:",
    "WIDGET SUBSYSTEM": "widget:",
}
VERBS = (
    "fix",
    "add",
    "remove",
    "convert",
    "use",
    "drop",
    "simplify",
    "rework",
    "document",
    "avoid",
    "handle",
    "clean up",
)
OBJECTS = (
    "refcount leak",
    "NULL dereference",
    "error path",
    "locking",
    "missing barrier",
    "unused variable",
    "devm helpers",
    "dev_err_probe()",
    "overflow check",
    "sysfs attribute",
    "debugfs entry",
    "runtime PM",
    "IRQ handling",
    "timeout handling",
    "kernel-doc comments",
    "double free",
    "race on teardown",
    "module parameter",
)
NOUNS = [
    "queue",
    "dev",
    "req",
    "ctx",
    "buf",
    "irq",
    "ring",
    "chan",
    "port",
    "desc",
    "cfg",
    "state",
    "node",
    "slot",
]
ACTIONS = [
    "submit",
    "probe",
    "remove",
    "init",
    "reset",
    "alloc",
    "free",
    "lock",
    "unlock",
    "map",
    "poll",
    "flush",
]
SENTENCES = (
    "The current code does not release the reference on the error path, so a failed "
    "probe leaks the device.",
    "Nothing prevents the work item from running after the queue has been torn down.",
    "Use the managed helper instead so that the cleanup happens automatically.",
    "This was found by code inspection; no functional change is intended otherwise.",
    "The value read from the hardware is not checked before it is used as an index.",
    "Switch to the generic helper which already handles the corner case correctly.",
    "Drop the open-coded loop, the core provides an equivalent function now.",
    "Without this change a concurrent reset can observe a half-initialised state.",
    "Tested on an evaluation board with the default configuration.",
    "The lock is taken in the interrupt handler, so it must be irq-safe here as well.",
)
REVIEW_COMMENTS = (
    "Looks good to me.",
    "Nit: the comment above no longer matches what the code does.",
    "Can this race with the teardown path? I think you need to hold the lock here.",
    "Please split the cleanup from the functional change.",
    "Why not use the existing helper for this?",
    "This makes sense, thanks for fixing it.",
    "The error code should be propagated instead of being replaced with -EINVAL.",
    "I gave this a spin on my board, works fine.",
)
AUTHOR_ANSWERS = (
    "Good point, I will fix it in the next version.",
    "Thanks for the review! Agreed, will send a v2.",
    "The lock is already held by the caller, see the comment in the header.",
    "Ack, I'll split it up.",
)


@dataclass(frozen=True, slots=True)
class Hunk:
    start: int
    text: str  # from the @@ line on, each line ending in \n
    added: int
    removed: int


@dataclass(frozen=True, slots=True)
class PatchText:
    message: str  # commit message body (no subject), ends in \n
    diff: str  # diffstat block + diffs, starting with the '---' line
    files: tuple[str, ...]
    added: int
    removed: int


def below(bits, n: int) -> int:
    """``Random._randbelow(n)`` (the same draws), minus two layers of method calls."""
    k = n.bit_length()
    r = bits(k)
    while r >= n:
        r = bits(k)
    return r


def choice(rng: random.Random, seq):
    """``rng.choice(seq)``, drawing exactly what it draws (CPython's algorithm)."""
    return seq[below(rng.getrandbits, len(seq))]


def sample(rng: random.Random, population, k: int) -> list:
    """``rng.sample(population, k)`` for k <= 5, drawing exactly what it draws."""
    bits = rng.getrandbits
    n = len(population)
    if k > 5 or k > n:
        return rng.sample(population, k)
    if n <= 21:
        pool = list(population)
        result = []
        for i in range(k):
            j = below(bits, n - i)
            result.append(pool[j])
            pool[j] = pool[n - i - 1]
        return result
    picked: list[int] = []
    for _ in range(k):
        j = below(bits, n)
        while j in picked:
            j = below(bits, n)
        picked.append(j)
    return [population[j] for j in picked]


def _one_or_two(bits, n: int, two: bool) -> tuple[int, ...]:
    """``tuple(sorted(sample(rng, range(n), 2 if two else 1)))``, the same draws (the first
    pick's slot is refilled with the last element before the second draw)."""
    a = below(bits, n)
    if not two:
        return (a,)
    b = below(bits, n - 1)
    if b == a:
        b = n - 1
    return (a, b) if a < b else (b, a)


def _ident(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].split(".")[0].replace("-", "_")
    return stem if stem[0].isalpha() else "frob"


class TextBank:
    """Seeded pools of hunks and sentences.  Shard ``part`` of ``parts`` names functions
    from its own slice of the function names, so that two shards never give one author
    the same subject (which would look like two versions of one series)."""

    def __init__(self, rng: random.Random, part: int = 0, parts: int = 1) -> None:
        self.rng = rng
        self.hunks: dict[str, list[Hunk]] = {}
        files = sorted({f for s in SECTIONS for f in s.sample_files})
        for f in files:
            self.hunks[f] = [self._hunk(f, 40 + 60 * i) for i in range(10)]
        self.funcs = [f"{n}_{a}" for n in NOUNS for a in ACTIONS][part::parts]
        self.paragraphs = [
            textwrap.fill(f"{a} {b}", 72) for a in SENTENCES for b in SENTENCES if a != b
        ]
        self._picked: dict[tuple[str, tuple[int, ...]], tuple[int, int, str]] = {}

    def _hunk(self, path: str, start: int) -> Hunk:
        rng = self.rng
        ident = _ident(path)
        noun, action = rng.choice(NOUNS), rng.choice(ACTIONS)
        fn = f"{ident}_{noun}_{action}"
        ctx = [
            f"\tstruct {ident}_{noun} *{noun} = {ident}_to_{noun}(dev);",
            "\tunsigned long flags;",
            "\tint ret;",
            "",
            f"\tspin_lock_irqsave(&{noun}->lock, flags);",
        ]
        removed = [f"\tret = {ident}_{action}({noun}, 0);"]
        if rng.random() < 0.5:
            removed.append("\tif (ret)\n\t\treturn ret;")
        added = [
            f"\tret = {ident}_{action}_locked({noun}, {rng.choice(('0', 'flags', 'true'))});",
            "\tif (ret) {",
            f"\t\tspin_unlock_irqrestore(&{noun}->lock, flags);",
            f'\t\treturn dev_err_probe(dev, ret, "{action} failed\\n");',
            "\t}",
        ][: rng.randint(1, 5)]
        if added[-1] == "\tif (ret) {" or added[-1].startswith("\t\t"):
            added = added[:1]
        tail = [f"\tspin_unlock_irqrestore(&{noun}->lock, flags);", "", "\treturn 0;"]
        rem_lines = "\n".join(removed).split("\n")
        old_n = len(ctx) + len(rem_lines) + len(tail)
        new_n = len(ctx) + len(added) + len(tail)
        lines = [f"@@ -{start},{old_n} +{start},{new_n} @@ static int {fn}(struct device *dev)"]
        lines += [" " + c for c in ctx]
        lines += ["-" + r for r in rem_lines]
        lines += ["+" + a for a in added]
        lines += [" " + c for c in tail]
        text = "\n".join(lines) + "\n"
        return Hunk(start, text, len(added), len(rem_lines))

    def subject(self, section: str) -> str:
        rng = self.rng
        return (
            f"{PREFIX[section]} {choice(rng, VERBS)} {choice(rng, OBJECTS)} in "
            f"{choice(rng, self.funcs)}()"
        )

    def message(self, n: int = 0) -> str:
        rng = self.rng
        k = n or 1 + below(rng.getrandbits, 3)  # rng.randint(1, 3)
        return "\n\n".join(sample(rng, self.paragraphs, k)) + "\n"

    def patch(self, files: tuple[str, ...]) -> PatchText:
        rng = self.rng
        rnd, bits = rng.random, rng.getrandbits
        stat, diffs = [], []
        total_add = total_rem = 0
        width = max(map(len, files))
        cache = self._picked
        for f in files:
            pool = self.hunks[f]
            picks = _one_or_two(bits, len(pool), rnd() < 0.3)
            got = cache.get((f, picks))
            if got is None:
                got = cache[(f, picks)] = (
                    sum(pool[i].added for i in picks),
                    sum(pool[i].removed for i in picks),
                    f"\n--- a/{f}\n+++ b/{f}\n" + "".join(pool[i].text for i in picks),
                )
            add, rem, text = got
            total_add += add
            total_rem += rem
            stat.append(f" {f.ljust(width)} | {add + rem} {'+' * add}{'-' * rem}")
            a, b = bits(48), bits(48)
            diffs.append(f"diff --git a/{f} b/{f}\nindex {a:012x}..{b:012x} 100644{text}")
        nf = len(files)
        summary = f" {nf} file{'s' if nf > 1 else ''} changed"
        if total_add:
            summary += f", {total_add} insertion{'s' if total_add > 1 else ''}(+)"
        if total_rem:
            summary += f", {total_rem} deletion{'s' if total_rem > 1 else ''}(-)"
        diff = "---\n" + "\n".join(stat) + "\n" + summary + "\n\n" + "".join(diffs)
        return PatchText(self.message(), diff, files, total_add, total_rem)

    def review(self) -> str:
        return choice(self.rng, REVIEW_COMMENTS)

    def answer(self) -> str:
        return choice(self.rng, AUTHOR_ANSWERS)
