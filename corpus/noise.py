"""Planted mail noise: broken dates, missing and duplicate Message-IDs, encoded words,
MIME multiparts, a deleted message and a reply to a message that was never archived.
Mixed into ``Pitfalls``; each story posts at a fixed date (see ``Pitfalls.schedule``)."""

from __future__ import annotations

from corpus.model import DAY, HOUR
from corpus.people import Cast
from corpus.thread import Engine, Node, SeriesBuild

ACME = ("drivers/frob/acme-frob.c",)
MISSING_PARENT = "20240728101010.GA4242@other-list.example.org"


class NoiseStories:
    e: Engine
    cast: Cast
    p: dict

    def _mark(self, name: str, value: object, node: Node | SeriesBuild | None = None) -> None:
        self.e.truth.pitfall(name, value)
        if node is not None:
            node.pitfalls.append(name)

    def header_noise(self, t: int) -> None:
        """One series whose replies carry the header and MIME noise."""
        e, p = self.e, self.p
        cc = tuple(self.cast.crowd[i] for i in range(0, min(12, len(self.cast.crowd))))
        b = e.post_series(
            t,
            p["p-sjostrom"],
            [ACME, ACME],
            "frob: acme: fix “burst” mode handling and document the FIFO "
            "size limits of the ACME controller",
            extra_to=cc,
        )
        self._mark("rfc2047-subject-utf8", b.key, b)
        self._mark("folded-headers", b.key)
        pa = b.posts[1]
        cases = [
            ("latin1", p["p-kuehlmann"], "Grüße, das sieht gut aus.", "iso-8859-1-name-and-body"),
            ("future-date", self.cast.crowd[-1], "Works here.", "date-far-future"),
            ("tz-1900", self.cast.crowd[-2], "Same result here.", "date-impossible-offset"),
            ("no-date", self.cast.crowd[-3], "No Date header on this one.", "date-missing"),
            ("unparsable-date", self.cast.crowd[-4], "Odd client.", "date-unparsable"),
            ("epoch-date", self.cast.crowd[-5], "RTC reset.", "date-epoch"),
        ]
        d = 10 * HOUR
        for noise, who, text, name in cases:
            n = e.reply(pa, who, d, text, noise=noise)
            d += 7 * HOUR
            if n is not None:
                self._mark(name, n.mid, n)
        nomid = e.reply(b.posts[2], p["p-marchetti"], 3 * DAY, "Hand-written reply, no id.")
        assert nomid is not None
        nomid.mid = None
        nomid.truth_extra["identify_by"] = "content_sha1 of the raw message (no Message-ID)"
        self._mark("no-message-id", {"subject": nomid.subject, "from": nomid.addr}, nomid)
        dup = e.reply(b.posts[0], p["p-okafor"], 4 * DAY, "Looks good.", tag="reviewed-by")
        others: list[Node] = []
        if dup is not None:
            copy = e.reply(b.posts[0], p["p-okafor"], 4 * DAY + 600, "Looks good (fixed typo).")
            if copy is not None:
                e.builds[b.key].replies.remove(copy)
                copy.mid = dup.mid
                copy.truth_extra["duplicate"] = "different-content"
                others.append(copy)
            self._mark("duplicate-message-id-different-content", dup.mid, dup)
        e.commit([b], others)

    def deleted_spam(self, t: int) -> None:
        e, p = self.e, self.p
        spam = e.root(
            t,
            p["p-spammer"],
            "Luxury watches at 90% off",
            "Best prices on luxury watches, click here!\n",
            ("linux-widget",),
        )
        spam.deleted_at = spam.archive_ts + 2 * HOUR
        self._mark("deleted-message", spam.mid, spam)
        e.commit([], [spam])

    def missing_parent(self, t: int) -> None:
        e = self.e
        who = self.cast.pick(e.rng, t)
        ghost = Node()
        ghost.kind, ghost.mid, ghost.refs = "other", MISSING_PARENT, []
        ghost.sender, ghost.date_ts, ghost.archive_ts = who, t - DAY, t - DAY
        ghost.date_tz, ghost.lists, ghost.subject = (
            "+0000",
            ("linux-frob",),
            "[PATCH] mm: frob pools",
        )
        ghost.quote = ["mm: frob pools"]
        ghost.owner = None
        r = e.reply(ghost, who, HOUR, "Did you mean to Cc linux-frob on this?")
        assert r is not None
        self._mark("missing-parent", {"message_id": r.mid, "missing": MISSING_PARENT}, r)
        e.commit([])

    def attachment_report(self, t: int) -> None:
        e, p = self.e, self.p
        root = e.root(
            t,
            p["p-otieno"],
            "frob: core: queue stalls after resume",
            "Hi,\n\nafter resume the queue stalls, dmesg attached.\n",
            ("linux-frob",),
        )
        root.noise = "mixed-attachment"
        q = e.reply(root, p["p-valdane"], 20 * HOUR, "Which kernel version is this?")
        if q is not None:
            f = e.reply(
                q,
                p["p-otieno"],
                3 * HOUR,
                "From the log it is 6.9-rc2.\n>From what I can see it started then.",
            )
            if f is not None:
                self._mark("mbox-from-line-in-body", f.mid, f)
        self._mark("multipart-mixed-attachment", root.mid, root)
        e.commit([], [root])
