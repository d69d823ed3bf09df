"""The seeded everyday traffic: series posted at random times, reviewed (or not) at
heavy-tailed delays, respun, resent, applied; with bot noise and cross-posting.

One call to ``Regular.start`` plans a whole story (v1 and every later version) at once;
the messages wait in the engine's heap until their archive time comes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from corpus.content import PREFIX, choice, sample
from corpus.maintainers import BY_NAME, SECTIONS
from corpus.model import DAY, END_TS, LISTS, Person
from corpus.people import Cast
from corpus.render import rfc2822
from corpus.thread import Engine, Node, SeriesBuild
from corpus.truth import eff_date

TREES = {
    "FROB CORE": "valdane/frob.git",
    "FROB SUBSYSTEM": "brekke/frob.git",
    "WIDGET SUBSYSTEM": "vasquez/widget.git",
}


@dataclass
class Plan:
    author: Person
    section: str
    files: list[tuple[str, ...]]
    subject: str
    patch_subjects: list[str] | None = None
    version: int = 1
    prev: SeriesBuild | None = None
    carried: tuple[tuple[str, Person], ...] = ()
    b4: bool = False
    change_id: str | None = None
    cover: bool = True
    lists: tuple[str, ...] | None = None
    resend: bool = False
    rfc: bool = False
    reply_to_prev: bool = False


def applied_text(b: SeriesBuild, rng: random.Random) -> str:
    tree = TREES.get(b.subsystems[0] if b.subsystems else "", "misc/linux.git")
    lines = [f"Applied to {tree.split('/')[0]}-next, thanks!", ""]
    for p in b.posts:
        if p.kind == "patch":
            lines.append(f"[{p.counter}/{b.total}] {p.subject.split('] ', 1)[1]}")
            lines.append(f"      commit: {rng.getrandbits(160):040x}")
    lines += ["", "Best regards,"]
    return "\n".join(lines)


def patchwork_text(b: SeriesBuild, applier: Person, rng: random.Random) -> str:
    tree = TREES.get(b.subsystems[0] if b.subsystems else "", "misc/linux.git")
    first = b.posts[0]
    what = "series" if len(b.posts) > 1 else "patch"
    links = []
    for p in b.posts:
        if p.kind == "patch":
            v = f"v{b.version}," if b.version > 1 else ""
            links.append(f"  - [{v}{p.counter}/{b.total}] {p.subject.split('] ', 1)[1]}")
            links.append(f"    https://git.kernel.example/{tree}/c/{rng.getrandbits(48):012x}")
    return (
        f"Hello:\n\nThis {what} was applied to {tree} (for-next)\n"
        f"by {applier.name} <{applier.addresses[0]}>:\n\n"
        f"On {rfc2822(first.date_ts, first.date_tz)} you wrote:\n> {first.subject}\n\n"
        "Here is the summary with links:\n" + "\n".join(links) + "\n\n"
        "You are awesome, thank you!\n-- \nDeet-doot-dot, I am a bot.\n"
        "https://korg.docs.kernel.org/patchwork/pwbot.html\n\n"
    )


def lkp_text(target: Node, rng: random.Random) -> str:
    first = target.sender.name.split()[0]
    f = target.patch.files[0] if target.patch else "drivers/frob/core/core.c"
    tag = f"{rfc_id(target.date_ts)}.{rng.getrandbits(24):06X}-lkp@intel.com"
    return (
        f"Hi {first},\n\nkernel test robot noticed the following build warnings:\n\n"
        "[auto build test WARNING on linus/master]\n[also build test WARNING on v6.8-rc3]\n\n"
        "config: x86_64-randconfig-121 (attached as .config)\n"
        "compiler: gcc-12 (Debian 12.2.0-14) 12.2.0\n\n"
        "If you fix the issue in a separate patch/commit (i.e. not just a new version of\n"
        "the same patch/commit), kindly add following tags\n"
        "| Reported-by: kernel test robot <lkp@intel.com>\n"
        f"| Closes: https://lore.kernel.org/oe-kbuild-all/{tag}/\n\n"
        "All warnings (new ones prefixed by >>):\n\n"
        f">> {f}:{rng.randint(40, 600)}:6: warning: variable 'ret' set but not used "
        "[-Wunused-but-set-variable]\n\n"
        "-- \n0-DAY CI Kernel Test Service\nhttps://github.com/intel/lkp-tests/wiki\n"
    )


def rfc_id(ts: int) -> str:
    from corpus.thread import rfc_stamp

    return rfc_stamp(ts)


class Regular:
    def __init__(self, engine: Engine, cast: Cast) -> None:
        self.e = engine
        self.cast = cast
        self.sections = [s.name for s in SECTIONS]
        self.weights = [s.weight for s in SECTIONS]
        self.used: set[tuple[str, str]] = set()
        self.maintained = [s for s in SECTIONS if s.status != "Orphan"]

    def start(self, t: int) -> None:
        rng = self.e.rng
        author = self.cast.pick(rng, t)
        section = rng.choices(self.sections, self.weights)[0]
        sec = BY_NAME[section]
        r = rng.random()
        n = 1 if r < 0.45 else min(2 + int(rng.expovariate(0.35)), 16)
        files = []
        pool = sec.sample_files
        for _ in range(n):
            fs = set(sample(rng, pool, 1 + (rng.random() < 0.25 and len(pool) > 1)))
            if rng.random() < 0.04:
                fs.add(choice(rng, choice(rng, self.maintained).sample_files))
            files.append(tuple(sorted(fs)))
        subject = self.e.bank.subject(section)
        for _ in range(5):
            if (author.id, subject) not in self.used:
                break
            subject = self.e.bank.subject(section)
        self.used.add((author.id, subject))
        b4 = rng.random() < 0.3
        plan = Plan(
            author,
            section,
            files,
            subject,
            b4=b4,
            change_id=f"{rfc_id(t)[:8]}-{PREFIX[section].split(':')[0]}-{rng.getrandbits(48):012x}"
            if b4
            else None,
            cover=n > 1 and rng.random() < 0.88,
            rfc=rng.random() < 0.06,
        )
        if rng.random() < 0.03:
            plan.lists = LISTS
        builds: list[SeriesBuild] = []
        self.run(t, plan, builds)
        self.e.commit(builds)

    def run(self, t: int, plan: Plan, builds: list[SeriesBuild]) -> SeriesBuild:
        e = self.e
        prev = plan.prev
        in_reply = None
        if prev is not None and plan.reply_to_prev and prev.posts[0].kind == "cover":
            in_reply = prev.posts[0]
        b = e.post_series(
            t,
            plan.author,
            plan.files,
            plan.subject,
            version=plan.version,
            cover=plan.cover,
            lists=plan.lists,
            rfc=plan.rfc,
            resend=plan.resend,
            b4=plan.b4,
            change_id=plan.change_id,
            in_reply_to=in_reply,
            carried=plan.carried,
            prev_key=prev.key if prev and not plan.resend else None,
            patch_subjects=plan.patch_subjects,
        )
        if plan.resend and prev is not None:
            b.resend_of = prev.key
            prev.resent_as = b.key
            b.pitfalls.append("resend")
        if in_reply is not None:
            b.pitfalls.append("respin-in-reply-to-previous-cover")
        builds.append(b)
        self.respond(b, plan, builds)
        return b

    def respond(self, b: SeriesBuild, plan: Plan, builds: list[SeriesBuild]) -> None:
        e, rng, people = self.e, self.e.rng, self.e.people
        sec = BY_NAME[plan.section]
        author = plan.author
        maint = [people[p] for p in sec.maintainers + sec.reviewers if p != author.id]
        cover = b.posts[0] if b.posts[0].kind == "cover" else None
        patches = [p for p in b.posts if p.kind == "patch"]
        t0 = b.posts[0].date_ts
        last = t0
        p_resp = sec.p_response * (0.75 if author.newcomer else 1.0)
        human = rng.random() < p_resp
        given: list[tuple[str, Person]] = []
        if human:
            k = 1 + (rng.random() < 0.45) + (rng.random() < 0.15)
            for _ in range(k):
                is_m = bool(maint) and rng.random() < 0.65
                who = choice(rng, maint) if is_m else self.cast.pick(rng, t0)
                if who.id == author.id:
                    continue
                target = (
                    cover if cover is not None and rng.random() < 0.35 else choice(rng, patches)
                )
                r = rng.random()
                tag = None
                if r < 0.3:
                    tag = "reviewed-by"
                elif r < 0.42 and is_m:
                    tag = "acked-by"
                elif r < 0.48:
                    tag = "tested-by"
                d = e.delay(5 if is_m else 9, sec.delay_scale)
                node = e.reply(target, who, d, e.bank.review(), tag=tag)
                if node is None:
                    continue
                last = max(last, node.date_ts)
                if tag:
                    given.append((tag, who))
                if rng.random() < 0.45:
                    ans = e.reply(node, author, e.delay(4), e.bank.answer())
                    if ans is not None:
                        last = max(last, ans.date_ts)
                        if rng.random() < 0.25:
                            e.reply(ans, who, e.delay(6), e.bank.review())
        if rng.random() < 0.04:
            target = rng.choice(patches)
            e.reply(
                target,
                people["bot-lkp"],
                e.delay(14, sigma=0.8),
                lkp_text(target, rng),
                plain=True,
            )
        applied_p = 0.4 if plan.version == 1 else 0.7
        if human and sec.maintainers and not plan.rfc and rng.random() < applied_p:
            applier = people[rng.choice(sec.maintainers)]
            target = cover or patches[0]
            node = e.reply(
                target,
                applier,
                e.delay(20, sec.delay_scale, 1.2),
                applied_text(b, rng),
                min_ts=last,
            )
            if node is not None and applier.id != author.id:
                b.applied_at, b.applied_by = eff_date(node), applier.id
                if "linux-frob" in b.lists and rng.random() < 0.6:
                    e.reply(
                        target,
                        people["bot-patchwork"],
                        rng.randint(60, 900),
                        patchwork_text(b, applier, rng),
                        plain=True,
                        min_ts=node.date_ts,
                    )
            elif node is not None:
                b.applied_at, b.applied_by = eff_date(node), applier.id
            return
        respin = (human and rng.random() < 0.6) or (not human and rng.random() < 0.25)
        if not respin or plan.version >= 6:
            return
        t2 = last + int(rng.lognormvariate(12.9, 0.8))  # median ~5 days
        resend = not human and rng.random() < 0.4
        if resend:
            t2 = t0 + 30 * DAY + int(rng.expovariate(1 / (10 * DAY)))
        if t2 >= END_TS - 3600:
            return
        # a new version may drop the RFC tag; a resend repeats its posting, tag included
        # (one that dropped it would read as the PATCH version after the RFC one)
        keep_rfc = plan.rfc and rng.random() < 0.3
        nxt = Plan(
            author,
            plan.section,
            plan.files,
            plan.subject,
            patch_subjects=b.patch_subjects() or None,
            version=plan.version + (0 if resend else 1),
            prev=b,
            carried=plan.carried + tuple(given),
            b4=plan.b4,
            change_id=plan.change_id,
            cover=plan.cover,
            lists=plan.lists,
            resend=resend,
            rfc=plan.rfc if resend else keep_rfc,
            reply_to_prev=rng.random() < 0.2,
        )
        nb = self.run(t2, nxt, builds)
        if not resend:
            b.next_key = nb.key
            # a later version supersedes every posting of this version, resends included
            by_key = {x.key: x for x in builds}
            orig = b
            while orig.resend_of is not None and orig.resend_of in by_key:
                orig = by_key[orig.resend_of]
                orig.later_version = True
