"""The small MAINTAINERS file of the sample, in the kernel's exact format, and the
get_maintainer.pl matching rules used to compute the planted subsystems.

Matching (as get_maintainer.pl does it): a pattern ending in ``/`` matches every file
below it; other patterns are globs (``*``, ``?``) that only match at the same directory
depth; ``X:`` excludes; ``N:`` is a regex on the path.  A pattern's depth is its number of
``/`` plus one when it does not end in ``/``; an ``N:`` match has depth 0.  For each file
the sections with the greatest depth win; a series' subsystems are the union over its files.
"""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.model import Person, Section, list_address

GOOGLEGROUPS_LIST = "frob-rust@googlegroups.com"
FROB = list_address("linux-frob")
WIDGET = list_address("linux-widget")

SECTIONS: tuple[Section, ...] = (
    Section(
        "ACME FROB CONTROLLER DRIVER",
        ("p-sjostrom",),
        (),
        (FROB,),
        "Supported",
        ("drivers/frob/acme-frob.c",),
        sample_files=("drivers/frob/acme-frob.c",),
        p_response=0.85,
        delay_scale=0.6,
        weight=0.6,
    ),
    Section(
        "ACME WIDGET PLATFORM SUPPORT",
        ("p-sjostrom",),
        (),
        (WIDGET,),
        "Supported",
        (),
        regexes=("acme",),
        sample_files=("arch/arm64/boot/dts/acme/acme-w100.dts",),
        p_response=0.7,
        weight=0.4,
    ),
    Section(
        "FROB CORE",
        ("p-valdane",),
        ("p-sethuraman",),
        (FROB,),
        "Supported",
        ("drivers/frob/core/", "include/linux/frob/core.h"),
        tree="git git://git.example.org/pub/scm/linux/kernel/git/valdane/frob.git",
        sample_files=(
            "drivers/frob/core/core.c",
            "drivers/frob/core/queue.c",
            "drivers/frob/core/dma.c",
            "include/linux/frob/core.h",
        ),
        p_response=0.92,
        delay_scale=0.5,
        weight=2.5,
    ),
    Section(
        "FROB LEGACY DRIVERS",
        (),
        (),
        (FROB,),
        "Orphan",
        ("drivers/frob/legacy/",),
        sample_files=("drivers/frob/legacy/frob-isa.c", "drivers/frob/legacy/frob-pcmcia.c"),
        p_response=0.2,
        delay_scale=4.0,
        weight=0.5,
    ),
    Section(
        "FROB RUST BINDINGS",
        ("p-dunleavy",),
        ("p-valdane",),
        (GOOGLEGROUPS_LIST,),
        "Maintained",
        ("rust/kernel/frob/",),
        web="https://frob-rust.example.org/",
        sample_files=("rust/kernel/frob/mod.rs", "rust/kernel/frob/device.rs"),
        p_response=0.75,
        delay_scale=1.5,
        weight=0.4,
    ),
    Section(
        "FROB SUBSYSTEM",
        ("p-brekke", "p-marchetti"),
        ("p-okafor",),
        (FROB,),
        "Maintained",
        ("Documentation/frob/", "drivers/frob/", "include/linux/frob.h"),
        excludes=("drivers/frob/legacy/",),
        keywords=(r"\bfrob_[a-z_]+\b",),
        tree="git git://git.example.org/pub/scm/linux/kernel/git/brekke/frob.git",
        web="https://frob.example.org/",
        sample_files=(
            "drivers/frob/bus.c",
            "drivers/frob/sysfs.c",
            "drivers/frob/Kconfig",
            "drivers/frob/Makefile",
            "include/linux/frob.h",
            "Documentation/frob/index.rst",
        ),
        p_response=0.8,
        weight=2.0,
    ),
    Section(
        "WIDGET GPIO DRIVERS",
        ("p-quist",),
        (),
        (WIDGET, FROB),
        "Odd Fixes",
        ("drivers/widget/gpio-*.c",),
        sample_files=("drivers/widget/gpio-widget.c", "drivers/widget/gpio-acme.c"),
        p_response=0.55,
        delay_scale=3.0,
        weight=0.7,
    ),
    Section(
        "WIDGET SUBSYSTEM",
        ("p-vasquez",),
        ("p-nakagawa",),
        (WIDGET,),
        "Maintained",
        ("Documentation/widget/", "drivers/widget/", "include/linux/widget.h"),
        tree="git git://git.example.org/pub/scm/linux/kernel/git/vasquez/widget.git",
        web="https://widget.example.org/",
        sample_files=(
            "drivers/widget/widget-core.c",
            "drivers/widget/widget-class.c",
            "include/linux/widget.h",
            "Documentation/widget/overview.rst",
        ),
        p_response=0.8,
        delay_scale=1.2,
        weight=2.0,
    ),
)

BY_NAME = {s.name: s for s in SECTIONS}

PREAMBLE = """\
List of maintainers
===================

Descriptions of section entries and preferred order
---------------------------------------------------

\tM: *Mail* patches to: FullName <address@domain>
\tR: Designated *Reviewer*: FullName <address@domain>
\t   These reviewers should be CCed on patches.
\tL: *Mailing list* that is relevant to this area
\tS: *Status*, one of the following:
\t   Supported:\tSomeone is actually paid to look after this.
\t   Maintained:\tSomeone actually looks after it.
\t   Odd Fixes:\tIt has a maintainer but they don't have time to do
\t\t\tmuch other than throw the odd patch in. See below..
\t   Orphan:\tNo current maintainer [but maybe you could take the
\t\t\trole as you write your new code].
\t   Obsolete:\tOld code. Something tagged obsolete generally means
\t\t\tit has been replaced by a better system and you
\t\t\tshould be using that.
\tW: *Web-page* with status/info
\tT: *SCM* tree type and location.
\t   Type is one of: git, hg, quilt, stgit, topgit
\tF: *Files* and directories wildcard patterns.
\t   A trailing slash includes all files and subdirectory files.
\t   F:\tdrivers/net/\tall files in and below drivers/net
\t   F:\tdrivers/net/*\tall files in drivers/net, but not below
\t   F:\t*/net/*\t\tall files in "any top level directory"/net
\t   One pattern per line.  Multiple F: lines acceptable.
\tX: *Excluded* files and directories that are NOT maintained, same
\t   rules as F:. Files exclusions are tested before file matches.
\t   Can be useful for excluding a specific subdirectory, for instance:
\t   F:\tnet/
\t   X:\tnet/ipv6/
\t   matches all files in and below net excluding net/ipv6/
\tN: Files and directories *Regex* patterns.
\t   N:\t[^a-z]tegra\tall files whose path contains tegra
\t                        (not including files like integrator)
\t   One pattern per line.  Multiple N: lines acceptable.
\t   scripts/get_maintainer.pl has different behavior for files that
\t   match F: pattern and matches of N: patterns.  By default,
\t   get_maintainer will not look at git log history when an F: pattern
\t   match occurs.  When an N: match occurs, git log history is used
\t   to also notify the people that have git commit signatures.
\tK: *Content regex* (perl extended) pattern match in a patch or file.
\t   For instance:
\t   K: of_get_profile
\t      matches patches or files that contain "of_get_profile"
\t   K: \\b(printk|pr_(info|err))\\b
\t      matches patches or files that contain one or more of the words
\t      printk, pr_info or pr_err
\t   One regex pattern per line.  Multiple K: lines acceptable.

Maintainers List
----------------

.. note:: When reading this list, please look for the most precise areas
          first. When adding to this list, please keep the entries in
          alphabetical order.

"""


def render(people: dict[str, Person]) -> str:
    """The MAINTAINERS text (sections in alphabetical order, blank line between)."""

    def who(pid: str) -> str:
        p = people[pid]
        return f"{p.name} <{p.addresses[0]}>"

    blocks = []
    for s in sorted(SECTIONS, key=lambda s: s.name):
        lines = [s.name]
        lines += [f"M:\t{who(p)}" for p in s.maintainers]
        lines += [f"R:\t{who(p)}" for p in s.reviewers]
        lines += [f"L:\t{lst}" for lst in s.lists]
        lines.append(f"S:\t{s.status}")
        if s.web:
            lines.append(f"W:\t{s.web}")
        if s.tree:
            lines.append(f"T:\t{s.tree}")
        lines += [f"F:\t{f}" for f in s.files]
        lines += [f"X:\t{x}" for x in s.excludes]
        lines += [f"N:\t{n}" for n in s.regexes]
        lines += [f"K:\t{k}" for k in s.keywords]
        blocks.append("\n".join(lines) + "\n")
    return PREAMBLE + "\n".join(blocks)


def _glob_to_re(pattern: str) -> re.Pattern[str]:
    out = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(out)


def _match(path: str, pattern: str) -> bool:
    """get_maintainer.pl's file_match_pattern()."""
    rx = _glob_to_re(pattern)
    if pattern.endswith("/"):
        return rx.match(path) is not None
    if rx.match(path) is None:
        return False
    return path.count("/") == pattern.count("/") or (
        # a directory named without its trailing slash still matches below it
        not any(c in pattern for c in "*?") and path.startswith(pattern + "/")
    )


def _depth(pattern: str) -> int:
    return pattern.count("/") + (0 if pattern.endswith("/") else 1)


@lru_cache(maxsize=4096)
def sections_for_file(path: str) -> tuple[str, ...]:
    """The most specific sections for one file (empty when nothing matches)."""
    best = -1
    found: list[str] = []
    for s in SECTIONS:
        if any(_match(path, x) for x in s.excludes):
            continue
        depth = -1
        for f in s.files:
            if _match(path, f):
                depth = max(depth, _depth(f))
        if depth < 0 and any(re.search(n, path) for n in s.regexes):
            depth = 0
        if depth < 0:
            continue
        if depth > best:
            best, found = depth, [s.name]
        elif depth == best:
            found.append(s.name)
    return tuple(sorted(found))


@lru_cache(maxsize=4096)
def all_sections_for_file(path: str) -> tuple[str, ...]:
    """Every section whose F:/N: lines match ``path`` (get_maintainer.pl lists the
    maintainers of all of them, the most specific first; THE REST is not planted)."""
    found = []
    for s in SECTIONS:
        if any(_match(path, x) for x in s.excludes):
            continue
        if any(_match(path, f) for f in s.files) or any(re.search(n, path) for n in s.regexes):
            found.append(s.name)
    return tuple(sorted(found))


def maintainers_for_files(paths: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Person ids of the M: and R: of every section matching any of ``paths``: the
    people whose reply counts as a maintainer response."""
    names = {n for p in paths for n in all_sections_for_file(p)}
    return frozenset(x for n in names for x in BY_NAME[n].maintainers + BY_NAME[n].reviewers)


def sections_for_files(paths: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    out: set[str] = set()
    for p in paths:
        out.update(sections_for_file(p))
    return tuple(sorted(out))


def all_sample_files() -> tuple[str, ...]:
    return tuple(sorted({f for s in SECTIONS for f in s.sample_files}))
