"""Building blocks of what happens on the lists: posted series, replies below them, and
the finished mails with their per-message truth.

A ``Node`` is one planned mail before rendering.  ``Engine.post_series`` posts a cover
letter and patches; ``Engine.reply`` answers a node after a delay (and drops it when it
would arrive after the corpus end); ``Engine.commit`` renders the nodes of finished
threads into ``Mail`` objects and hands the series truth to the ``Truth`` collector.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from typing import cast

from corpus.compose import compose
from corpus.content import PatchText, TextBank, below
from corpus.gittree import TreeCommit, applied_commits
from corpus.maintainers import BY_NAME, FROB, sections_for_files
from corpus.model import END_TS, LISTS, Mail, Person, list_address
from corpus.render import addr, fold, fold_subject, person_tz, rfc2822, stamp
from corpus.truth import Truth

POSTS = ("cover", "patch")
REVIEW_KINDS = ("reviewed-by", "acked-by")
TAG_NAMES = {
    "reviewed-by": "Reviewed-by",
    "acked-by": "Acked-by",
    "tested-by": "Tested-by",
    "signed-off-by": "Signed-off-by",
}


class Node:
    __slots__ = (
        "addr",
        "anchor",
        "archive_ts",
        "body",
        "cc",
        "counter",
        "date_ts",
        "date_tz",
        "deleted_at",
        "kind",
        "lists",
        "mailer",
        "mid",
        "noise",
        "owner",
        "parent",
        "parent_mid",
        "patch",
        "pitfalls",
        "quote",
        "refs",
        "sender",
        "subject",
        "subject_header",
        "tags",
        "to",
        "trailers",
        "truth_extra",
    )
    # Set by whoever builds the node (``Engine.post_series``, ``reply``, ``root``), not in
    # ``__init__``: declared here for the type checker (no value, so no class attribute).
    addr: str
    archive_ts: int
    body: str
    date_ts: int
    date_tz: str
    kind: str
    lists: tuple[str, ...]
    mid: str | None
    parent: Node | None
    parent_mid: str | None
    refs: list[str]
    sender: Person
    subject: str
    to: list[Person]

    def __init__(self) -> None:
        self.noise = ""
        self.pitfalls: list[str] = []
        self.tags: list[tuple[str, Person]] = []  # review tags given in this reply
        self.trailers: list[tuple[str, str, str]] = []  # (kind, name, email) in the body
        self.truth_extra: dict = {}
        self.deleted_at: int | None = None
        self.patch: PatchText | None = None
        self.counter: int | None = None
        self.subject_header: str | None = None
        self.mailer = "mutt"
        self.anchor: Node | None = None
        self.owner: str | None = None
        self.quote: list[str] = []


@dataclass
class SeriesBuild:
    key: str
    author: Person
    addr: str
    version: int
    total: int
    lists: tuple[str, ...]
    subsystems: tuple[str, ...]
    files: tuple[str, ...] = ()
    posts: list[Node] = field(default_factory=list)
    replies: list[Node] = field(default_factory=list)
    rfc: bool = False
    resend: bool = False
    prev_key: str | None = None
    next_key: str | None = None
    resent_as: str | None = None
    resend_of: str | None = None
    later_version: bool = False  # a higher version follows (after a resend of this one)
    applied_at: int | None = None
    applied_by: str | None = None
    change_id: str | None = None
    carried: tuple[tuple[str, Person], ...] = ()
    subject: str = ""
    pitfalls: list[str] = field(default_factory=list)

    def patch_subjects(self) -> list[str]:
        return [p.subject.split("] ", 1)[1] for p in self.posts if p.kind == "patch"]


class Engine:
    """Shared state while planning: the rng, the text bank, the outgoing mail heap."""

    def __init__(
        self,
        rng: random.Random,
        people: dict[str, Person],
        truth: Truth,
        shard: int = 0,
        shards: int = 1,
    ) -> None:
        self.rng = rng
        self.people = people
        self.bank = TextBank(rng, shard, shards)
        self.truth = truth
        self.heap: list[tuple[int, int, int, Mail]] = []  # (time, seq, 0 add / 1 delete, mail)
        # sequence numbers shard, shard + shards, …: unique over all shards (they are in
        # Message-IDs and break ties when the shards' mails are merged)
        self.seq = shard
        self._seq_step = shards
        self.keep_applied = False
        self._rcpt: dict[tuple, tuple[str, str]] = {}
        self.builds: dict[str, SeriesBuild] = {}
        self.loose: list[Node] = []  # replies below non-series roots, emitted at commit
        self.applied: list[TreeCommit] = []  # for the kernel git tree

    # -- identifiers and times --------------------------------------------------------
    def next_seq(self) -> int:
        self.seq += self._seq_step
        return self.seq

    def mid_for(self, style: str, address: str, ts: int, extra: str = "") -> str:
        self.seq = seq = self.seq + self._seq_step
        local, domain = address.split("@", 1)
        if style == "git":
            return f"{stamp(ts)}.{seq}-{extra or 1}-{local}@{domain}"
        if style == "b4":
            return f"{stamp(ts)[:8]}-{extra}-{seq:x}{self.rng.getrandbits(24):06x}@{domain}"
        if domain == "gmail.com":
            return f"CA+{seq:x}{self.rng.getrandbits(64):016x}@mail.gmail.com"
        return f"Z{self.rng.getrandbits(40):010x}{seq:x}@{domain}"

    def transit(self) -> int:
        """Seconds between the Date header and the archive's receipt (heavy tailed)."""
        return int(min(6 * 3600, math.exp(self.rng.gauss(3.2, 1.3)))) + 1

    def delay(self, median_hours: float, scale: float = 1.0, sigma: float = 1.7) -> int:
        return int(math.exp(self.rng.gauss(math.log(median_hours * 3600), sigma)) * scale) + 60

    # -- posting ----------------------------------------------------------------------
    def post_series(
        self,
        t: int,
        author: Person,
        files: list[tuple[str, ...]],
        subject: str,
        *,
        version: int = 1,
        cover: bool = True,
        lists: tuple[str, ...] | None = None,
        rfc: bool = False,
        resend: bool = False,
        b4: bool = False,
        change_id: str | None = None,
        in_reply_to: Node | None = None,
        carried: tuple[tuple[str, Person], ...] = (),
        prev_key: str | None = None,
        prefix_style: str = "normal",
        extra_to: tuple[Person, ...] = (),
        patch_subjects: list[str] | None = None,
        first_mid: str | None = None,
    ) -> SeriesBuild:
        n = len(files)
        all_files = tuple(sorted({f for fs in files for f in fs}))
        subsystems = sections_for_files(all_files)
        if lists is None:
            addrs = {a for s in subsystems for a in BY_NAME[s].lists}
            lists = tuple(x for x in LISTS if list_address(x) in addrs) or (FROB.split("@")[0],)
        sender = author.address_at(t)
        style = "b4" if b4 else "git"
        slug = _slug(subject) if b4 else ""
        maint = {p for s in subsystems for p in BY_NAME[s].maintainers + BY_NAME[s].reviewers}
        to = [self.people[p] for p in sorted(maint) if p != author.id] + list(extra_to)
        build = SeriesBuild(
            key="",
            author=author,
            addr=sender,
            version=version,
            total=n,
            lists=lists,
            subsystems=subsystems,
            files=all_files,
            rfc=rfc,
            resend=resend,
            prev_key=prev_key,
            change_id=change_id,
            carried=carried,
            subject=subject,
        )
        tags = ["PATCH"]
        if rfc:
            tags.insert(0 if self.rng.random() < 0.5 else 1, "RFC")
        if resend:
            tags.append("RESEND")
        if version > 1:
            tags.append(f"v{version}")
        head = " ".join(tags)
        sob = author.sob_address or sender
        trailers = [("signed-off-by", author.name, sob)]
        trailers += [(kind, p.name, p.addresses[0]) for kind, p in carried]
        root_parent = in_reply_to
        first: Node | None = None
        ts = t
        tz = person_tz(author)
        bits = self.rng.getrandbits
        for i in range(0 if cover and n > 1 else 1, n + 1):
            node = Node()
            node.kind = "cover" if i == 0 else "patch"
            node.sender, node.addr = author, sender
            node.date_ts = ts
            node.date_tz = tz
            node.archive_ts = ts + self.transit()
            node.lists = lists
            node.mailer = style
            extra = f"{slug}-v{version}-{i}" if b4 else str(i)
            node.mid = self.mid_for(style, sender, ts, extra)
            if first is None and first_mid is not None:
                node.mid = first_mid
            counter = f" {i}/{n}" if n > 1 else ""
            if prefix_style == "nospace" and n > 1:
                counter = f"{i}/{n}"
            node.counter = i
            if i == 0 or (i == 1 and not cover) or n == 1:
                title = subject
            elif patch_subjects and i - 1 < len(patch_subjects):
                title = patch_subjects[i - 1]
            else:
                title = self.bank.subject(sections_for_files(files[i - 1])[0])
            node.subject = f"[{head}{counter}] {title}"
            parent = first if first is not None else root_parent
            node.parent = parent
            node.parent_mid = parent.mid if parent else None
            # a post's parent is a posted mail, which always has a Message-ID
            node.refs = [*parent.refs, cast(str, parent.mid)] if parent else []
            node.to = to
            node.owner = None
            if node.kind == "patch":
                node.patch = self.bank.patch(files[i - 1])
                node.trailers = list(trailers)
                node.quote = node.patch.message.split("\n")[:3]
            else:
                node.quote = [subject]
            if first is None:
                first = node
            build.posts.append(node)
            ts += below(bits, 4)  # rng.randint(0, 3)
        key = cast(str, build.posts[0].mid)  # posts always have a Message-ID (mid_for)
        build.key = key
        for node in build.posts:
            node.owner = key
            node.anchor = node
        self.builds[key] = build
        return build

    def reply(
        self,
        parent: Node,
        sender: Person,
        delay: int,
        text: str,
        *,
        tag: str | None = None,
        kind: str = "reply",
        subject: str | None = None,
        noise: str = "",
        address: str | None = None,
        min_ts: int = 0,
        plain: bool = False,
    ) -> Node | None:
        ts = max(parent.date_ts, parent.archive_ts - 1, min_ts) + delay
        node = Node()
        node.kind = kind
        node.sender = sender
        node.addr = address or sender.address_at(ts)
        node.date_ts = ts
        node.date_tz = person_tz(sender)
        node.archive_ts = ts + self.transit()
        if node.archive_ts >= END_TS:
            return None
        node.lists = parent.lists
        node.mid = self.mid_for("mutt", node.addr, ts)
        base = parent.subject[4:] if parent.subject.startswith("Re: ") else parent.subject
        node.subject = subject or f"Re: {base}"
        node.parent = parent
        node.parent_mid = parent.mid
        node.refs = [*parent.refs, parent.mid] if parent.mid else list(parent.refs)
        node.to = [parent.sender]
        node.owner = parent.owner
        node.anchor = parent if parent.kind in POSTS else parent.anchor
        node.noise = noise
        quote = "".join([f"> {q}\n" if q else ">\n" for q in parent.quote[:4]])
        when = rfc2822(parent.date_ts, parent.date_tz)
        pname = parent.sender.name
        body = text if plain else f"On {when}, {pname} wrote:\n{quote}\n{text}\n"
        if tag:
            node.tags.append((tag, sender))
            node.trailers.append((tag, sender.name, node.addr))
            body += f"\n{TAG_NAMES[tag]}: {sender.name} <{node.addr}>\n"
        node.body = body
        node.quote = text.split("\n")[:2]
        if node.owner is not None:
            self.builds[node.owner].replies.append(node)
        else:
            self.loose.append(node)
        return node

    def root(self, t: int, sender: Person, subject: str, body: str, lists: tuple[str, ...]) -> Node:
        """A thread starter that is not a patch (bug report, pull request, spam)."""
        node = Node()
        node.kind = "other"
        node.sender, node.addr = sender, sender.address_at(t)
        node.date_ts, node.date_tz = t, person_tz(sender)
        node.archive_ts = t + self.transit()
        node.lists = lists
        node.mid = self.mid_for("mutt", node.addr, t)
        node.subject = subject
        node.parent = None
        node.parent_mid = None
        node.refs = []
        node.to = []
        node.body = body
        node.quote = body.split("\n")[:3]
        return node

    # -- finishing --------------------------------------------------------------------
    def commit(self, builds: list[SeriesBuild], others: list[Node] = ()) -> None:  # type: ignore[assignment]
        nodes: list[Node] = list(others)
        nodes.extend(self.loose)
        self.loose = []
        for b in builds:
            nodes.extend(b.posts)
            nodes.extend(b.replies)
            self.truth.add_series(b, self.people)
            if b.applied_at is not None and self.keep_applied:
                self.applied.extend(applied_commits(b, self.people))
        for node in nodes:
            self._emit(node)
        for b in builds:
            self.builds.pop(b.key, None)

    def _emit(self, node: Node) -> None:
        raw, date_ts = compose(self, node)
        self.seq = seq = self.seq + self._seq_step
        ts, lists = node.archive_ts, node.lists
        mail = Mail(  # positional (the field order of ``Mail``): this runs for every mail
            seq, ts, lists, node.mid, node.sender.name, node.addr, node.subject, date_ts,
            "+1900" if node.noise == "tz-1900" else node.date_tz, raw,
            self.truth.message_truth(node, lists), node.deleted_at,
        )  # fmt: skip
        heapq.heappush(self.heap, (ts, seq, 0, mail))

    def recipients(self, node: Node) -> tuple[str, str]:
        sender = node.sender
        people = [p for p in node.to if p is not sender]
        key = (tuple([p.id for p in people]), node.lists)
        got = self._rcpt.get(key)
        if got is None:
            to = [addr(p.name, p.addresses[0]) for p in people] or [
                addr("", list_address(node.lists[0]))
            ]
            cc = [list_address(x) for x in node.lists]
            if len(self._rcpt) > 50_000:
                self._rcpt.clear()
            got = self._rcpt[key] = (fold("To", to), fold("Cc", cc))
        return got


def _slug(subject: str) -> str:
    """The subject's words in a b4 Message-ID: ``frob-core-fix`` (at most 30 characters)."""
    slug = "-".join(subject.split(":")[-1].split()[:3]).lower().strip("()")
    return "".join(c for c in slug if c.isalnum() or c == "-")[:30] or "patch"


def rfc_stamp(ts: int) -> str:
    return stamp(ts)


__all__ = ["POSTS", "REVIEW_KINDS", "Engine", "Node", "SeriesBuild", "fold_subject"]
