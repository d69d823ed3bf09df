"""The planted cases: fixed stories at fixed dates, present at every scale, each standing
for something real kernel archives do (docs/corpus.md has the list and why)."""

from __future__ import annotations

import typing
from collections.abc import Callable

from corpus.model import DAY, HOUR, LISTS, START_TS
from corpus.noise import NoiseStories
from corpus.people import Cast
from corpus.regular import applied_text, lkp_text, patchwork_text
from corpus.thread import Engine, Node, SeriesBuild
from corpus.truth import eff_date

CORE = ("drivers/frob/core/queue.c",)
CORE2 = ("drivers/frob/core/core.c", "include/linux/frob/core.h")
CORE3 = ("drivers/frob/core/dma.c",)
SUB = ("drivers/frob/bus.c",)
SUB2 = ("drivers/frob/sysfs.c",)
KCONF = ("drivers/frob/Kconfig",)
WID = ("drivers/widget/widget-core.c",)
WID2 = ("drivers/widget/widget-class.c",)
GPIO = ("drivers/widget/gpio-widget.c",)
LEGACY = ("drivers/frob/legacy/frob-isa.c",)
ACME = ("drivers/frob/acme-frob.c",)


class Pitfalls(NoiseStories):
    def __init__(self, engine: Engine, cast: Cast) -> None:
        self.e = engine
        self.cast = cast
        self.p = engine.people

    def schedule(self) -> list[tuple[int, Callable[[int], None]]]:
        plan = [
            (10, self.version_chain),
            (20, self.resend_crosspost),
            (30, self.nospace_prefix),
            (50, self.extra_patch),
            (70, self.series_reply_to_series),
            (90, self.re_patch_respin),
            (100, self.same_subject),
            (110, self.cover_only_answers),
            (120, self.bot_only),
            (130, self.syzbot),
            (140, self.git_pull),
            (150, self.header_noise),
            (200, self.deleted_spam),
            (210, self.missing_parent),
            (212, self.attachment_report),
            (280, self.newcomers),
            (355, self.pending),
        ]
        return [(START_TS + d * DAY + 9 * HOUR + i * 61, fn) for i, (d, fn) in enumerate(plan)]

    def _mark(self, name: str, value: object, node: Node | SeriesBuild | None = None) -> None:
        self.e.truth.pitfall(name, value)
        if node is not None:
            node.pitfalls.append(name)

    # -- stories --------------------------------------------------------------------------
    def version_chain(self, t: int) -> None:
        """RFC v1 -> v2 (in reply to v1's cover, tags carried) -> v3 after the author
        changed employer (new address), applied with patchwork-bot; b4 change-id."""
        e, p = self.e, self.p
        author = p["p-feldkamp"]
        cid = "20240111-frob-queue-rework-5e1f0c2a9b7d"
        files = [CORE, CORE2, CORE, CORE3]
        v1 = e.post_series(
            t, author, files, "frob: core: rework queue handling", rfc=True, b4=True, change_id=cid
        )
        r1 = e.reply(
            v1.posts[0], p["p-valdane"], 5 * HOUR, "Nice cleanup overall.", tag="reviewed-by"
        )
        assert r1 is not None
        r2 = e.reply(v1.posts[2], p["p-sethuraman"], 30 * HOUR, "Looks fine.", tag="acked-by")
        e.reply(r2 or r1, author, 2 * HOUR, "Thanks, will fold into v2.")
        carried = ((k, n.sender) for n in (r1, r2) if n for k, _ in n.tags)
        v2 = e.post_series(
            t + 30 * DAY,
            author,
            [*files, SUB],
            "frob: core: rework queue handling",
            version=2,
            b4=True,
            change_id=cid,
            in_reply_to=v1.posts[0],
            carried=tuple(carried),
            prev_key=v1.key,
            patch_subjects=v1.patch_subjects(),
        )
        v1.next_key = v2.key
        e.reply(v2.posts[3], p["p-valdane"], 3 * DAY, "One more nit below.")
        v3 = e.post_series(
            t + 160 * DAY,
            author,
            [*files, SUB],
            "frob: core: rework queue handling",
            version=3,
            b4=True,
            change_id=cid,
            carried=v2.carried,
            prev_key=v2.key,
            patch_subjects=v2.patch_subjects(),
        )
        v2.next_key = v3.key
        e.reply(v3.posts[1], p["bot-lkp"], 9 * HOUR, lkp_text(v3.posts[1], e.rng), plain=True)
        applier = p["p-valdane"]
        ap = e.reply(v3.posts[0], applier, 2 * DAY, applied_text(v3, e.rng))
        assert ap is not None
        v3.applied_at, v3.applied_by = eff_date(ap), applier.id
        e.reply(
            v3.posts[0],
            p["bot-patchwork"],
            300,
            patchwork_text(v3, applier, e.rng),
            plain=True,
            min_ts=ap.date_ts,
        )
        self._mark("respin-in-reply-to-previous-cover", v2.key, v2)
        self._mark("change-id", cid)
        self._mark("tags-carried", v2.key, v2)
        self._mark("employer-change-between-versions", [v1.key, v3.key], v3)
        self._mark("rfc", v1.key, v1)
        e.commit([v1, v2, v3])

    def resend_crosspost(self, t: int) -> None:
        """Ignored patch to an Odd Fixes section on both lists, RESENT five weeks later."""
        e, p = self.e, self.p
        author = p["p-otieno"]
        a = e.post_series(t, author, [GPIO], "widget: gpio: fix inverted polarity on reset")
        b = e.post_series(
            t + 36 * DAY,
            author,
            [GPIO],
            "widget: gpio: fix inverted polarity on reset",
            resend=True,
        )
        a.resent_as, b.resend_of = b.key, a.key
        r = e.reply(b.posts[0], p["p-quist"], 11 * DAY, "Sorry, this fell through the cracks.")
        ap = e.reply(r or b.posts[0], p["p-quist"], HOUR, applied_text(b, e.rng))
        if ap is not None:
            b.applied_at, b.applied_by = eff_date(ap), "p-quist"
        self._mark("resend", b.key, b)
        self._mark("cross-posted", a.key, a)
        assert set(a.lists) == set(LISTS)
        e.commit([a, b])

    def nospace_prefix(self, t: int) -> None:
        e, p = self.e, self.p
        files: list[tuple[str, ...]] = [WID, WID2, WID, WID2, WID, WID2, WID, WID2]
        b = e.post_series(
            t,
            p["p-harrowgate"],
            files,
            "widget: convert to the new class API",
            prefix_style="nospace",
        )
        e.reply(b.posts[3], p["p-nakagawa"], 20 * HOUR, "This one breaks the build for me.")
        self._mark("prefix-without-space", b.key, b)
        e.commit([b])

    def extra_patch(self, t: int) -> None:
        """A 5-patch series, then a [PATCH 6/5] in reply to the cover; free-mail author
        with a corporate Signed-off-by; applied by a maintainer from his other address."""
        e, p = self.e, self.p
        author = p["p-achterberg"]
        b = e.post_series(t, author, [SUB, SUB2, SUB, SUB2, SUB], "frob: sysfs: tidy up attributes")
        cover = b.posts[0]
        extra = e.post_series(t + DAY, author, [KCONF], "frob: add missing Kconfig dependency")
        node = extra.posts[0]
        node.subject = "[PATCH 6/5] frob: add missing Kconfig dependency"
        node.counter = 6
        # a cover letter always has a Message-ID (``Engine.mid_for``)
        node.parent, node.parent_mid, node.refs = cover, cover.mid, [typing.cast(str, cover.mid)]
        node.owner = b.key
        node.date_ts, node.archive_ts = t + DAY, t + DAY + 40
        del e.builds[extra.key]
        b.posts.append(node)
        brekke = p["p-brekke"]
        ap = e.reply(
            cover,
            brekke,
            3 * DAY,
            applied_text(b, e.rng),
            address="hallvard.brekke@acme-semi.example",
        )
        assert ap is not None
        b.applied_at, b.applied_by = eff_date(ap), brekke.id
        self._mark("extra-patch-6-of-5", node.mid, node)
        self._mark("freemail-corporate-signed-off-by", b.key, b)
        self._mark("maintainer-other-address", ap.mid, ap)
        e.commit([b])

    def series_reply_to_series(self, t: int) -> None:
        e, p = self.e, self.p
        a = e.post_series(t, p["p-moreau"], [CORE3, CORE3, CORE], "frob: core: rework DMA mapping")
        b = e.post_series(
            t + 2 * DAY,
            p["p-constantinescu"],
            [CORE3, CORE],
            "frob: core: follow-up fixes for the DMA rework",
            in_reply_to=a.posts[0],
        )
        e.reply(b.posts[1], p["p-valdane"], 7 * HOUR, "Please fold this into the original series.")
        self._mark("series-in-reply-to-other-series", b.key, b)
        self._mark("never-answered", a.key, a)
        e.commit([a, b])

    def re_patch_respin(self, t: int) -> None:
        """An updated patch sent as 'Re: [PATCH]' in the thread: a reply with a diff."""
        e, p = self.e, self.p
        author = p["p-drummond"]
        b = e.post_series(t, author, [WID], "widget: fix off-by-one in widget_get_range()")
        r = e.reply(b.posts[0], p["p-vasquez"], 6 * HOUR, "The bound should be inclusive.")
        assert r is not None
        upd = e.bank.patch(WID)
        text = (
            "Right, here is the updated version:\n\n"
            + upd.message
            + f"\nSigned-off-by: {author.name} <{author.addresses[0]}>\n"
            + upd.diff
        )
        rp = e.reply(r, author, 5 * HOUR, text)
        assert rp is not None
        rp.truth_extra["has_diff"] = True
        rp.truth_extra["files"] = list(upd.files)
        rp.truth_extra["lines"] = (upd.added, upd.removed)
        ack = e.reply(rp, p["p-vasquez"], 2 * DAY, "Thanks.", tag="acked-by")
        self._mark("re-patch-respin", rp.mid, rp)
        if ack is not None:
            self._mark("review-tag-below-re-patch", ack.mid, ack)
        e.commit([b])

    def same_subject(self, t: int) -> None:
        e, p = self.e, self.p
        subj = "frob: fix typo in comment"
        a = e.post_series(t, p["p-okafor"], [SUB], subj)
        other = self.cast.pick(e.rng, t + 80 * DAY)
        while other.id == "p-okafor":
            other = self.cast.pick(e.rng, t + 80 * DAY)
        b = e.post_series(t + 80 * DAY, other, [SUB2], subj)
        ap = e.reply(a.posts[0], p["p-brekke"], 3 * HOUR, "Applied, thanks.")
        assert ap is not None
        a.applied_at, a.applied_by = eff_date(ap), "p-brekke"
        self._mark("same-subject-different-authors", [a.key, b.key], a)
        b.pitfalls.append("same-subject-different-authors")
        e.commit([a, b])

    def cover_only_answers(self, t: int) -> None:
        e, p = self.e, self.p
        b = e.post_series(t, p["p-vorontsov"], [WID, WID2, WID], "widget: add suspend support")
        cover = b.posts[0]
        q = e.reply(cover, p["p-vasquez"], 9 * HOUR, "What about the wakeup path?")
        if q is not None:
            k = e.reply(
                q, p["p-vorontsov"], 4 * HOUR, "Спасибо, wakeup handled in patch 2.", noise="koi8r"
            )
            if k is not None:
                self._mark("koi8r-name-and-body", k.mid, k)
        e.reply(cover, p["p-nakagawa"], 2 * DAY, "For the whole series:", tag="reviewed-by")
        self._mark("answers-only-to-cover", b.key, b)
        e.commit([b])

    def bot_only(self, t: int) -> None:
        e, p = self.e, self.p
        author = self.cast.pick(e.rng, t)
        b = e.post_series(t, author, [LEGACY], "frob: legacy: drop unused ISA probe hook")
        e.reply(b.posts[0], p["bot-lkp"], 10 * HOUR, lkp_text(b.posts[0], e.rng), plain=True)
        self._mark("bot-only-replies", b.key, b)
        self._mark("orphan-section", b.key)
        e.commit([b])

    def syzbot(self, t: int) -> None:
        e, p = self.e, self.p
        bot = p["bot-syzbot"]
        root = e.root(
            t,
            bot,
            "[syzbot] [frob?] KASAN: slab-use-after-free Read in frob_queue_submit",
            "Hello,\n\nsyzbot found the following issue on:\n\nHEAD commit:    "
            "1a2b3c4d5e6f Merge tag 'frob-next'\n\nIMPORTANT: if you fix the issue, "
            "please add the following tag to the commit:\nReported-by: "
            f"{bot.addresses[0]}\n",
            ("linux-frob",),
        )
        r = e.reply(root, p["p-valdane"], 2 * DAY, "#syz test\n\nLet me check this.")
        if r is not None:
            e.reply(
                r,
                bot,
                1800,
                "syzbot has tested the proposed patch and the reproducer "
                "did not trigger any issue.\n",
                plain=True,
            )
        self._mark("syzbot-thread", root.mid, root)
        e.commit([], [root])

    def git_pull(self, t: int) -> None:
        e, p = self.e, self.p
        root = e.root(
            t,
            p["p-brekke"],
            "[GIT PULL] frob updates for v6.10",
            "Hi Linus,\n\nplease pull the frob updates for v6.10.\n",
            ("linux-frob",),
        )
        e.reply(
            root,
            p["bot-pr-tracker"],
            4 * DAY,
            "The pull request you sent has been merged into torvalds/linux.git.\n",
            plain=True,
        )
        self._mark("git-pull-with-pr-tracker-bot", root.mid, root)
        e.commit([], [root])

    def newcomers(self, t: int) -> None:
        e, p = self.e, self.p
        a = e.post_series(t, p["p-oyelaran"], [WID2], "widget: class: fix sysfs permissions")
        h = e.reply(
            a.posts[0],
            p["p-oyelaran"],
            DAY,
            "Gentle ping, sorry if I got the format wrong.",
            noise="alternative-html",
        )
        if h is not None:
            self._mark("multipart-alternative-html", h.mid, h)
        self._mark("newcomer-ignored", a.key, a)
        b = e.post_series(t + 40 * DAY, p["p-brisbane"], [SUB2], "frob: sysfs: use sysfs_emit()")
        e.reply(b.posts[0], p["p-okafor"], 3 * HOUR, "Welcome! Looks right.", tag="reviewed-by")
        self._mark("newcomer-answered", b.key, b)
        e.commit([a, b])

    def pending(self, t: int) -> None:
        e = self.e
        author = self.cast.pick(e.rng, t)
        b = e.post_series(t, author, [CORE], "frob: core: shrink the request cache")
        self._mark("pending-unanswered", b.key, b)
        e.commit([b])
