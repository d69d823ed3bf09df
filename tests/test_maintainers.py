"""MAINTAINERS parsing (ingest.enrich.maintainers) and path → section matching
(ingest.enrich.subsystems), with get_maintainer.pl's rules."""

from __future__ import annotations

import functools
import os
import random
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.enrich.maintainers import (
    Contact,
    MaintainersError,
    Section,
    load_maintainers,
    parse_contact,
    parse_maintainers,
)
from ingest.enrich.subsystems import THE_REST, SectionMatcher, directories_of
from ingest.sources.kernel_tree import read_maintainers_from_git, resolve_rev_at
from tests.conftest import shared_root

SMALL = """\
List of maintainers
===================

Descriptions of section entries and preferred order
---------------------------------------------------

\tM: *Mail* patches to: FullName <address@domain>
\tF: *Files* and directories wildcard patterns.
\t   drivers/net/\tall files in and below drivers/net

Maintainers List
----------------

.. note:: look for the most precise areas first.

BAR PLATFORM SUPPORT
M:\tBob Bar <BOB@Bar.example>
S:\tSupported
F:\tarch/*/boot/dts/bar/
N:\tbar[0-9]+

GADGET CORE
M:\tGail Gadget <gail@gadget.example> (core, locking)
L:\tlinux-gadget@lists.example.org (subscribers-only)
S:\tMaintained
F:\tdrivers/gadget/*
F:\tdrivers/gadget/core.c

# a comment line inside the list is ignored
LAST LINE WINS
M:\tLarry Last <larry@last.example>
S:\tMaintained
F:\tdrivers/last/
F:\tdrivers/last/one.c

LAST LINE WINS REVERSED
M:\tLarry Last <larry@last.example>
S:\tMaintained
F:\tdrivers/last/one.c
F:\tdrivers/last/

QUX LIBRARY
S:\tOrphan
F:\tlib/qux
F:\tlib/qu?x.c

WIDGET FOO DRIVER
M:\tFred Foo <fred@foo.example>
R:\tRita Review <Rita@Review.example>
L:\tlinux-widget@lists.example.org
S:\tOdd Fixes
F:\tdrivers/widget/foo/
F:\tdrivers/widget/foo*.c
F:\tinclude/linux/widget_*.h

WIDGET SUBSYSTEM
M:\tWanda Widget <Wanda@Widget.EXAMPLE>
M:\twidget-team@widget.example
R:\tRita Review <rita@review.example>
L:\tLinux-Widget@Lists.Example.org
L:\twidget-announce@lists.example.org (moderated for non-subscribers)
S:\tMaintained
W:\thttps://widget.example/
Q:\thttps://patchwork.example/project/widget/list/
B:\thttps://bugs.example/widget
C:\tirc://irc.example/widget
T:\tgit git://git.example/widget.git
F:\tDocumentation/widget/
F:\tdrivers/widget/
F:\tinclude/linux/widget.h
X:\tdrivers/widget/legacy/
K:\t\\bwidget_register\\b

THE REST
M:\tLinus Torvalds <torvalds@linux-foundation.org>
L:\tlinux-kernel@vger.kernel.org
S:\tBuried alive in reporters
F:\t*
F:\t*/
"""


@pytest.fixture(scope="module")
def sections() -> list[Section]:
    return parse_maintainers(SMALL)


@pytest.fixture(scope="module")
def matcher(sections: list[Section]) -> SectionMatcher:
    return SectionMatcher(sections)


def by_name(sections: list[Section], name: str) -> Section:
    return next(s for s in sections if s.name == name)


# --- parsing -------------------------------------------------------------------------


def test_preamble_is_skipped_and_sections_are_in_file_order(sections: list[Section]) -> None:
    assert [s.name for s in sections] == [
        "BAR PLATFORM SUPPORT", "GADGET CORE", "LAST LINE WINS", "LAST LINE WINS REVERSED",
        "QUX LIBRARY", "WIDGET FOO DRIVER", "WIDGET SUBSYSTEM", "THE REST",
    ]
    assert sections[0].line == SMALL.splitlines().index("BAR PLATFORM SUPPORT") + 1


def test_section_fields(sections: list[Section]) -> None:
    w = by_name(sections, "WIDGET SUBSYSTEM")
    assert w.status == "Maintained"
    assert w.maintainers == (
        Contact("Wanda Widget", "wanda@widget.example"),
        Contact("", "widget-team@widget.example"),
    )
    assert w.reviewers == (Contact("Rita Review", "rita@review.example"),)
    assert w.lists == ("linux-widget@lists.example.org", "widget-announce@lists.example.org")
    assert w.list_notes == (("widget-announce@lists.example.org", "moderated for non-subscribers"),)
    assert w.moderated_lists == ("widget-announce@lists.example.org",)
    assert w.trees == ("git git://git.example/widget.git",)
    assert w.web == ("https://widget.example/",)
    assert w.files == ("Documentation/widget/", "drivers/widget/", "include/linux/widget.h")
    assert w.excludes == ("drivers/widget/legacy/",)
    assert w.keywords == (r"\bwidget_register\b",)
    assert w.other == (
        ("Q", "https://patchwork.example/project/widget/list/"),
        ("B", "https://bugs.example/widget"),
        ("C", "irc://irc.example/widget"),
    )
    assert w.fields[0] == ("M", "Wanda Widget <Wanda@Widget.EXAMPLE>")
    g = by_name(sections, "GADGET CORE")
    assert g.maintainers == (Contact("Gail Gadget", "gail@gadget.example", "(core, locking)"),)
    assert g.subscriber_only_lists == ("linux-gadget@lists.example.org",)
    assert by_name(sections, "BAR PLATFORM SUPPORT").regexes == ("bar[0-9]+",)
    qux = by_name(sections, "QUX LIBRARY")
    assert qux.is_orphan and qux.maintainers == () and not w.is_orphan


def test_parse_contact_forms() -> None:
    assert parse_contact('"Doe, Jane" <Jane@X.org>') == Contact("Doe, Jane", "jane@x.org")
    assert parse_contact("x86@kernel.org") == Contact("", "x86@kernel.org")
    assert parse_contact("Team Name") == Contact("Team Name", "")


def test_section_is_frozen(sections: list[Section]) -> None:
    with pytest.raises(AttributeError):
        sections[0].name = "x"  # type: ignore[misc]


def test_text_without_sections_is_an_error() -> None:
    with pytest.raises(MaintainersError, match="no section"):
        parse_maintainers("List of maintainers\n===================\n\nnothing here\n")


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(MaintainersError, match="not found") as err:
        load_maintainers(tmp_path / "MAINTAINERS")
    assert "\n" not in str(err.value)
    bad = tmp_path / "bad"
    bad.write_text("just prose\n")
    with pytest.raises(MaintainersError, match="no section"):
        load_maintainers(bad)
    with pytest.raises(MaintainersError, match="cannot read"):
        load_maintainers(tmp_path)  # a directory


def test_latin1_file_is_read(tmp_path: Path) -> None:
    f = tmp_path / "MAINTAINERS"
    f.write_bytes("CAF\xc9 DRIVER\nM:\tJos\xe9 <jose@example.org>\nF:\tcafe/\n".encode("latin-1"))
    (s,) = load_maintainers(f)
    assert s.name == "CAFÉ DRIVER" and s.maintainers[0].name == "José"


# --- matching rules ------------------------------------------------------------------


def names(matcher: SectionMatcher, path: str) -> list[str]:
    return [m.section_name for m in matcher.match(path)]


def test_trailing_slash_matches_everything_below(matcher: SectionMatcher) -> None:
    assert names(matcher, "drivers/widget/a/b/c.c") == ["WIDGET SUBSYSTEM", THE_REST]
    assert names(matcher, "Documentation/widget/index.rst")[0] == "WIDGET SUBSYSTEM"


def test_star_needs_the_same_depth(matcher: SectionMatcher) -> None:
    assert "GADGET CORE" in names(matcher, "drivers/gadget/x.c")
    assert "GADGET CORE" not in names(matcher, "drivers/gadget/sub/x.c")


def test_star_crosses_slashes_before_a_trailing_slash(matcher: SectionMatcher) -> None:
    # arch/*/boot/dts/bar/ → ^arch/.*/boot/dts/bar/, any depth below
    assert "BAR PLATFORM SUPPORT" in names(matcher, "arch/arm64/boot/dts/bar/x/y.dts")
    assert "BAR PLATFORM SUPPORT" in names(matcher, "arch/a/b/boot/dts/bar/y.dts")


def test_question_mark_is_one_character(matcher: SectionMatcher) -> None:
    assert "QUX LIBRARY" in names(matcher, "lib/quux.c")
    assert "QUX LIBRARY" not in names(matcher, "lib/quuux.c")


def test_patterns_are_not_anchored_at_the_end(matcher: SectionMatcher) -> None:
    # get_maintainer.pl only anchors at the start: widget.h also covers widget.hpp
    assert "WIDGET SUBSYSTEM" in names(matcher, "include/linux/widget.hpp")
    assert "WIDGET SUBSYSTEM" not in names(matcher, "include/linux/widget/x.h")


def test_exclude_removes_the_whole_section(matcher: SectionMatcher) -> None:
    assert names(matcher, "drivers/widget/legacy/old.c") == [THE_REST]
    assert matcher.primary("drivers/widget/legacy/old.c") == (THE_REST,)


def test_n_regex_is_searched_anywhere_with_specificity_zero(matcher: SectionMatcher) -> None:
    (bar, rest) = matcher.match("drivers/clk/clk-bar42.c")
    assert (bar.section_name, bar.specificity, bar.kind) == ("BAR PLATFORM SUPPORT", 0, "N")
    assert rest.section_name == THE_REST
    assert "BAR PLATFORM SUPPORT" not in names(matcher, "drivers/clk/clk-bar.c")


def test_most_specific_first(matcher: SectionMatcher) -> None:
    found = matcher.match("drivers/widget/foo/core.c")
    assert [(m.section_name, m.specificity) for m in found] == [
        ("WIDGET FOO DRIVER", 3), ("WIDGET SUBSYSTEM", 2), (THE_REST, -1)]
    assert matcher.primary("drivers/widget/foo/core.c") == ("WIDGET FOO DRIVER", "WIDGET SUBSYSTEM")
    assert matcher.most_specific("drivers/widget/foo/core.c") == ("WIDGET FOO DRIVER",)
    # a file pattern without "/" at the end counts one level more: 2 slashes + 1
    assert matcher.match("drivers/widget/foo1.c")[0].specificity == 3


def test_last_matching_line_of_a_section_sets_its_specificity(matcher: SectionMatcher) -> None:
    spec = {m.section_name: m.specificity for m in matcher.match("drivers/last/one.c")}
    assert spec["LAST LINE WINS"] == 3  # F: drivers/last/one.c comes last
    assert spec["LAST LINE WINS REVERSED"] == 2  # F: drivers/last/ comes last


def test_star_first_pattern_and_the_rest(matcher: SectionMatcher) -> None:
    assert [(m.section_name, m.specificity, m.pattern) for m in matcher.match("README")] == [
        (THE_REST, -1, "*")]
    assert matcher.primary("README") == (THE_REST,)
    assert matcher.primary("fs/new/file.c") == (THE_REST,)
    assert THE_REST not in matcher.primary("drivers/widget/x.c")


def test_plain_pattern_is_a_directory_when_the_path_is_below_it(sections: list[Section]) -> None:
    inferred = SectionMatcher(sections)
    assert "QUX LIBRARY" in names(inferred, "lib/qux/deep/a.c")
    assert "QUX LIBRARY" in names(inferred, "lib/qux")  # the file itself
    assert "QUX LIBRARY" in names(inferred, "lib/quxtra")  # file semantics: prefix
    # with the tree's directories known, lib/qux is a directory, as `-d` would say
    known = SectionMatcher(sections, directories={"lib/qux"})
    assert "QUX LIBRARY" in names(known, "lib/qux/deep/a.c")
    assert "QUX LIBRARY" not in names(known, "lib/quxtra")
    assert known.match("lib/qux/a.c")[0].specificity == 2


def test_path_normalisation(matcher: SectionMatcher) -> None:
    assert matcher.primary("./drivers/widget/x.c") == matcher.primary("drivers/widget/x.c")
    assert matcher.primary("/drivers/widget/x.c") == ("WIDGET SUBSYSTEM",)


def test_sections_for_files_is_a_stable_union(matcher: SectionMatcher) -> None:
    files = ["drivers/gadget/core.c", "drivers/widget/foo/a.c", "drivers/widget/b.c"]
    expected = ("GADGET CORE", "WIDGET FOO DRIVER", "WIDGET SUBSYSTEM")
    assert matcher.sections_for_files(files) == expected
    assert matcher.sections_for_files(reversed(files)) == expected
    assert matcher.sections_for_files(["README", "drivers/gadget/x.c"]) == ("GADGET CORE", THE_REST)
    assert matcher.sections_for_files([]) == ()


def test_sections_for_list(matcher: SectionMatcher) -> None:
    assert matcher.sections_for_list("linux-widget@lists.example.org") == (
        "WIDGET FOO DRIVER", "WIDGET SUBSYSTEM")
    assert matcher.sections_for_list(" <Linux-Widget@LISTS.example.org> ") == (
        "WIDGET FOO DRIVER", "WIDGET SUBSYSTEM")
    assert matcher.sections_for_list("mailto:linux-gadget@lists.example.org") == ("GADGET CORE",)
    assert matcher.sections_for_list("nobody@example.org") == ()


def test_section_lookup(matcher: SectionMatcher) -> None:
    assert matcher.section("GADGET CORE").status == "Maintained"
    with pytest.raises(KeyError):
        matcher.section("NO SUCH SECTION")


# --- the index agrees with a direct transcription of the script's loop ----------------


_compile = functools.lru_cache(maxsize=None)(re.compile)  # the script's regexes, compiled once


def _reference(sections: list[Section], path: str, directories: set[str]) -> list[str]:
    """get_maintainer.pl's loop, literally: every section, every line, no index."""

    def to_regex(glob: str) -> str:
        value = glob.replace(".", r"\.").replace("*", ".*").replace("?", ".")
        return value + "/" if value in directories else value

    def file_match(pattern: str) -> bool:
        if _compile(pattern).match(path) is None:
            return False
        return pattern.endswith("/") or path.count("/") == pattern.count("/")

    found = []
    for i, section in enumerate(sections):
        if any(file_match(to_regex(x)) for x in section.excludes):
            continue
        depth = None
        for letter, value in section.fields:
            if letter == "F" and file_match(pattern := to_regex(value)):
                depth = pattern.count("/") + (not pattern.endswith("/"))
                depth = -1 if pattern.startswith(".*") else depth
            elif letter == "N" and _compile(value, re.VERBOSE).search(path):
                depth = 0
        if depth is not None:
            found.append((-depth, i, section.name))
    return [name for _, _, name in sorted(found)]


def _random_paths(rng: random.Random, n: int) -> list[str]:
    parts = ["drivers", "widget", "gadget", "foo", "legacy", "last", "lib", "qux", "arch",
             "arm", "boot", "dts", "bar", "bar7", "include", "linux", "widget.h", "core.c",
             "foo1.c", "one.c", "quux.c", "widget_x.h", "Documentation", "x"]
    return ["/".join(rng.choice(parts) for _ in range(rng.randint(1, 6))) for _ in range(n)]


def test_index_agrees_with_the_script_loop_on_random_paths(sections: list[Section]) -> None:
    rng = random.Random(42)
    for directories in (set(), {"lib/qux", "drivers/widget"}):
        matcher = SectionMatcher(sections, directories)
        for path in _random_paths(rng, 2000):
            ancestors = {path[:i] for i, c in enumerate(path) if c == "/"}
            expected = _reference(sections, path, directories | ancestors)
            assert [m.section_name for m in matcher.match(path)] == expected, path


# --- the real MAINTAINERS of Linux 6.12.117 ----------------------------------------------

REAL = Path(os.environ.get("LORELENS_TEST_MAINTAINERS", shared_root() / "data" / "MAINTAINERS"))


@pytest.fixture(scope="module")
def real() -> list[Section]:
    if not REAL.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{REAL} is missing (set LORELENS_SHARED or LORELENS_TEST_MAINTAINERS)")
        pytest.skip(f"{REAL} is missing")
    return load_maintainers(REAL)


def test_real_file_sections(real: list[Section]) -> None:
    assert len(real) == 2906
    assert real[0].name == "3C59X NETWORK DRIVER"
    assert real[-1].name == THE_REST
    assert len({s.name for s in real}) == len(real)
    assert sum(len(s.files) for s in real) == 8154
    assert sum(len(s.excludes) for s in real) == 69
    assert sum(len(s.regexes) for s in real) == 95
    wd = by_name(real, "WATCHDOG DEVICE DRIVERS")
    assert "linux-watchdog@vger.kernel.org" in wd.lists
    assert "drivers/watchdog/" in wd.files
    assert Contact("Guenter Roeck", "linux@roeck-us.net") in wd.maintainers
    # 137 "S: Orphan…" lines; one is the third S: of KVM/powerpc, whose status is its first
    assert sum(s.is_orphan for s in real) == 136
    kvm = by_name(real, "KERNEL VIRTUAL MACHINE FOR POWERPC (KVM/powerpc)")
    assert kvm.status == "Maintained (Book3S 64-bit HV)"
    assert [v for k, v in kvm.fields if k == "S"][2] == "Orphan (Book3E and 32-bit)"


def test_real_file_matching(real: list[Section]) -> None:
    matcher = SectionMatcher(real)
    assert "WATCHDOG DEVICE DRIVERS" in matcher.primary("drivers/watchdog/gpio_wdt.c")
    assert matcher.primary("mm/kfence/core.c") == ("KFENCE", "MEMORY MANAGEMENT")
    assert matcher.primary("kernel/livepatch/core.c")[0] == "LIVE PATCHING"
    assert "WATCHDOG DEVICE DRIVERS" in matcher.sections_for_list(
        "linux-watchdog@vger.kernel.org")
    assert matcher.sections_for_list("live-patching@vger.kernel.org") == ("LIVE PATCHING",)


def test_real_file_index_agrees_with_the_script_loop(real: list[Section]) -> None:
    matcher = SectionMatcher(real)
    rng = random.Random(42)
    roots = ["drivers/watchdog/", "kernel/livepatch/", "arch/arm64/boot/dts/qcom/",
             "drivers/net/ethernet/intel/ice/", "include/linux/", "tools/testing/selftests/",
             "Documentation/devicetree/bindings/", "sound/soc/codecs/", "mm/", ""]
    names_ = ["core.c", "Makefile", "Kconfig", "page-flags.h", "tegra.c", "mt8195.dtsi",
              "imx8.c", "elf.h", "x.yaml"]
    for _ in range(80):
        path = rng.choice(roots) + rng.choice(names_)
        ancestors = {path[:i] for i, c in enumerate(path) if c == "/"}
        assert [m.section_name for m in matcher.match(path)] == _reference(
            real, path, ancestors), path


# --- MAINTAINERS from a kernel git tree --------------------------------------------------


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def kernel_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("linux")
    _git(repo, "init", "-q", "-b", "master")
    (repo / "MAINTAINERS").write_text("OLD SECTION\nM:\tA <a@example.org>\nF:\told/\n")
    _git(repo, "add", "MAINTAINERS")
    _git(repo, "commit", "-q", "-m", "v1", date="2020-01-01T00:00:00+00:00")
    (repo / "MAINTAINERS").write_text(SMALL)
    _git(repo, "commit", "-q", "-am", "v2", date="2022-01-01T00:00:00+00:00")
    return repo


def test_read_from_git_at_a_revision(kernel_repo: Path) -> None:
    assert read_maintainers_from_git(kernel_repo) == SMALL
    old = parse_maintainers(read_maintainers_from_git(kernel_repo, "HEAD~1"))
    assert [s.name for s in old] == ["OLD SECTION"]


def test_read_from_git_at_a_date(kernel_repo: Path) -> None:
    text = read_maintainers_from_git(kernel_repo, at="2021-06-01")
    assert [s.name for s in parse_maintainers(text)] == ["OLD SECTION"]
    assert read_maintainers_from_git(kernel_repo, at=datetime(2023, 1, 1, tzinfo=UTC)) == SMALL
    assert resolve_rev_at(kernel_repo, "2021-06-01") == _git(kernel_repo, "rev-parse", "HEAD~1")
    with pytest.raises(MaintainersError, match="no commit"):
        read_maintainers_from_git(kernel_repo, at="2019-01-01")
    with pytest.raises(MaintainersError, match="time zone"):
        read_maintainers_from_git(kernel_repo, at=datetime(2023, 1, 1))  # noqa: DTZ001


def test_read_from_git_errors(kernel_repo: Path, tmp_path: Path) -> None:
    with pytest.raises(MaintainersError, match="not found"):
        read_maintainers_from_git(tmp_path / "nope")
    with pytest.raises(MaintainersError, match="git show failed") as err:
        read_maintainers_from_git(kernel_repo, "no-such-branch")
    assert "\n" not in str(err.value)


def test_directories_of_paths(sections: list[Section]) -> None:
    dirs = directories_of(["lib/qux/a.c", "./drivers/x/y/z.c", "README"])
    assert dirs == {"lib", "lib/qux", "drivers", "drivers/x", "drivers/x/y"}
    matcher = SectionMatcher(sections, dirs)
    assert "QUX LIBRARY" not in names(matcher, "lib/quxtra")
