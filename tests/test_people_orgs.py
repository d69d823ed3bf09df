"""Identities (people.py), gitdm domain maps (domainmap.py) and organisation kinds (orgs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analytics.reports import run_report
from core.database import connect_readonly
from core.errors import ConfigError
from ingest.addresses import normalise
from ingest.enrich.domainmap import (
    DomainList,
    DomainMap,
    DomainMapError,
    EntryKind,
    parse_domain_map,
)
from ingest.enrich.inputs import set_org_inputs
from ingest.enrich.orgs import (
    Affiliation,
    BuiltinLists,
    OrgKind,
    OrgResolver,
    Signoff,
    parse_overrides,
)
from ingest.enrich.people import (
    AddressStat,
    AliasFile,
    BotRules,
    is_bot,
    name_key,
    normalise_email,
    parse_mailmap,
    resolve_identities,
)
from ingest.enrich.stages import enrich
from ingest.load import Database
from tests.conftest import make_mail, run_ingest, shared_root, write_mbox

SHARED_GITDM = shared_root() / "data" / "gitdm"


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def lists() -> BuiltinLists:
    return BuiltinLists.load()


# --- domain maps ---------------------------------------------------------------------

MAP = """\
# a comment
example.com        Example Corp
Mail.Example.COM   Example Mail Team   # inline comment
ansolabs.example\tNebula
ansolabs.example\tRackspace < 2012-07-20
old.example        Old Corp < 2010-01-01
hobby.example      (None)
who.example        (Unknown)
students.example   Independent
alice@partner.example  Example Corp < 2020-01-01
"""


def test_parse_domain_map_lines_and_quirks():
    entries = parse_domain_map(MAP, "m")
    keys = [(e.key, e.employer, e.line) for e in entries]
    assert ("example.com", "Example Corp", 2) in keys
    assert ("mail.example.com", "Example Mail Team", 3) in keys  # lower-cased, comment cut
    dated = [e for e in entries if e.until]
    assert {e.key for e in dated} == {"ansolabs.example", "old.example", "alice@partner.example"}
    assert dated[0].until == day("2012-07-20")
    kinds = {e.key: e.kind for e in entries}
    assert kinds["hobby.example"] is EntryKind.NO_EMPLOYER
    assert kinds["who.example"] is EntryKind.UNKNOWN
    assert kinds["students.example"] is EntryKind.NO_EMPLOYER
    assert entries[-1].is_address


def test_parse_domain_map_errors():
    with pytest.raises(DomainMapError, match="m:1"):
        parse_domain_map("justadomain.example\n", "m")
    with pytest.raises(DomainMapError, match="bad end date"):
        parse_domain_map("a.example X < 2012-13-40\n", "m")


def test_time_series_and_parent_domains():
    m = DomainMap.from_text(MAP, "m")
    assert m.lookup("x@ansolabs.example", day("2011-01-01")).entry.employer == "Rackspace"
    assert m.lookup("x@ansolabs.example", day("2013-01-01")).entry.employer == "Nebula"
    assert m.lookup("x@ansolabs.example").entry.employer == "Nebula"  # now
    hit = m.lookup("x@ansolabs.example", day("2011-01-01"))
    assert hit.reason == "domain-map-until:m:5"
    # an entry that has ended gives nothing
    assert m.lookup("x@old.example", day("2009-06-01")).entry.employer == "Old Corp"
    assert m.lookup("x@old.example", day("2011-01-01")) is None
    # parent domains, most specific first
    assert m.lookup("x@a.b.example.com").matched == "example.com"
    assert m.lookup("x@smtp.mail.example.com").entry.employer == "Example Mail Team"
    # (Unknown) says nothing: the lookup goes on to the parent or gives up
    assert m.lookup("x@who.example") is None
    # per-address entry, dated
    assert m.lookup("alice@partner.example", day("2019-01-01")).reason == "address-map-until:m:10"
    assert m.lookup("alice@partner.example", day("2021-01-01")) is None
    assert m.lookup("bob@partner.example", day("2019-01-01")) is None


def test_first_map_wins_without_mixing_series():
    new = DomainMap.from_text("suse.example SUSE\n", "new")
    old = DomainMap.from_text("suse.example Novell\nsuse.example X < 2001-01-01\n", "old")
    merged = DomainMap.merge(new, old)
    assert merged.lookup("a@suse.example", day("2000-01-01")).entry.employer == "SUSE"
    assert DomainMap.merge(old, new).lookup("a@suse.example").entry.employer == "Novell"


def test_domain_list_globs():
    dl = DomainList.from_text("yahoo.*\nlive.*\n*.edu\nuni-*.de\ngmail.com\n", "t")
    assert dl.match("yahoo.co.uk") == "yahoo.co.uk"
    assert dl.match("live.com") == "live.com"
    assert dl.match("live.intel.com") is None
    assert dl.match("cs.mit.edu") == "edu"
    assert dl.match("edu") is None
    assert dl.match("informatik.uni-wuerzburg.de") == "uni-wuerzburg.de"
    assert dl.match("googlemail.com") is None


@pytest.mark.parametrize(
    "name",
    ["cncf-domain-map", "lwn-sample-domain-map", "ossystems-meta-freescale-domain-to-employer"],
)
def test_real_gitdm_maps_parse(name):
    path = SHARED_GITDM / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI")
        pytest.skip("shared gitdm maps not present")
    m = DomainMap.from_file(path)
    assert len(m.entries) > 250
    assert m.lookup("someone@linux.intel.com").entry.employer == "Intel"
    if name == "cncf-domain-map":
        assert m.lookup("x@ansolabs.com", day("2011-01-01")).entry.employer == "Rackspace"
        assert m.lookup("x@ansolabs.com", day("2013-01-01")).entry.employer == "Nebula"


def test_builtin_data_files_parse(lists):
    assert lists.domain_map.lookup("a@linux.intel.com").entry.employer == "Intel"
    assert lists.domain_map.lookup("a@kernel.org") is None  # kernel.org is not an employer
    assert lists.freemail.match("gmail.com") and lists.freemail.match("yahoo.co.jp")
    assert lists.academic.match("cs.ox.ac.uk") == "ac.uk"
    assert lists.community.match("vger.kernel.org") == "kernel.org"


# --- people ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Roeck, Guenter", "Guenter Roeck"),
        ("Ilpo Järvinen", "ilpo jarvinen"),
        ("Paul E. McKenney", "Paul McKenney"),
        ("Melin Tomas", "Tomas Melin"),
        ('"Arnd Bergmann"', "Arnd Bergmann"),
        ("Jorge Ramirez-Ortiz, Foundries", "Jorge Ramirez-Ortiz"),
        ("Tyler Hicks (Microsoft)", "Tyler Hicks"),
        ("Thomas Weißschuh", "Thomas Weissschuh"),
    ],
)
def test_name_key_equal(a, b):
    assert name_key(a) is not None
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    "name", ["shuah", "root", "Unknown User", "Li Li", "", None, "alice@example.org", "J. R."]
)
def test_name_key_refuses(name):
    assert name_key(name) is None


def test_normalise_email():
    assert normalise_email(" <Alice@Example.ORG> ") == "alice@example.org"
    assert normalise_email("not an address") == "not an address"


@pytest.mark.parametrize("raw", [
    "Alice@Example.ORG", "a..b@example.org", "root@localhost", "x@lorelens.invalid",
    '"john doe"@example.org', '"J.Doe"@Example.org', "Jörg@Exämple.org", "jörg@example.org",
    "user@bücher.example", "ALICE@XN--EXMPLE-CUA.ORG", "o'brien@example.ie",
    "user+tag@sub.example.co.uk", "user@[192.0.2.1]", "a@b",
])
def test_enrichment_and_ingest_share_one_normal_form(raw: str) -> None:
    """An address from a user file (mailmap, aliases, overrides) is normalised exactly
    as ingest normalised the stored one, fast path or not, so the two always meet."""
    stored = normalise(raw).email
    assert stored is not None
    assert normalise_email(raw) == stored
    assert normalise_email(f" <{raw}> ") == stored
    assert normalise_email(stored) == stored  # stored addresses are left as they are


def stat(name, email, n=1, first="2020-01-01", last="2020-12-31"):
    return AddressStat(name, email, n, day(first), day(last))


def test_identities_merge_by_name_mailmap_alias():
    stats = [
        stat("Guenter Roeck", "linux@roeck-us.example", 50),
        stat("Roeck, Guenter", "groeck@corp.example", 5),
        stat("root", "root@a.example"),
        stat("root", "root@b.example"),
        stat("shuah", "shuah@kernel.example"),
        stat("Shuah", "shuah@other.example"),
        stat("Ann Other", "ann@one.example"),
        stat("A. Nother", "ann@two.example"),
        stat("Bea Bot", "bea@three.example"),
    ]
    mailmap = parse_mailmap("Ann Other <ann@one.example> <ann@two.example>\n")
    aliases = AliasFile.from_text("bea@three.example bea@four.example\n", "aliases")
    ids = resolve_identities(stats, mailmap, aliases)
    assert ids.person_id("groeck@corp.example") == "linux@roeck-us.example"  # most used
    assert ids.person_id("root@a.example") != ids.person_id("root@b.example")
    assert ids.person_id("shuah@kernel.example") != ids.person_id("shuah@other.example")
    assert ids.person_id("ann@two.example") == ids.person_id("ann@one.example")
    assert ids.person_id("bea@four.example") == "bea@three.example"
    reasons = {i.email: i.reason for i in ids.identities}
    assert reasons["groeck@corp.example"].startswith("same-name:")
    assert reasons["ann@two.example"] == "mailmap:1"
    assert reasons["bea@four.example"] == "alias:aliases:1"
    person = ids.person("groeck@corp.example")
    assert person.messages == 55 and person.name == "Guenter Roeck"
    assert ids.person_id("never@seen.example") == "never@seen.example"


def test_nomerge_and_bots_do_not_merge():
    stats = [
        stat("Wei Liu", "wei@a.example"),
        stat("Wei Liu", "wei@b.example"),
        stat("kernel test robot", "lkp@intel.com"),
        stat("kernel test robot", "oliver.sang@intel.com"),
    ]
    ids = resolve_identities(stats, aliases=AliasFile.from_text("nomerge: Wei Liu\n"))
    assert ids.person_id("wei@a.example") != ids.person_id("wei@b.example")
    assert ids.person_id("lkp@intel.com") != ids.person_id("oliver.sang@intel.com")
    assert ids.person("lkp@intel.com").is_bot


def test_parse_mailmap_forms():
    text = (
        "# comment\n"
        "Proper Name <fix@example.org>\n"
        "<proper@example.org> <commit@example.org>\n"
        "Proper Name <proper@example.org> <Commit2@Example.org>\n"
        "Proper Name <proper@example.org> Other Name <commit3@example.org>\n"
    )
    entries = parse_mailmap(text)
    assert [(e.proper_email, e.commit_email, e.line) for e in entries] == [
        (None, "fix@example.org", 2),
        ("proper@example.org", "commit@example.org", 3),
        ("proper@example.org", "commit2@example.org", 4),
        ("proper@example.org", "commit3@example.org", 5),
    ]
    assert entries[3].commit_name == "Other Name"


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("kernel test robot", "lkp@intel.com"),
        ("syzbot", "syzbot+0123abcd@syzkaller.appspotmail.com"),
        ("patchwork-bot+netdevbpf@kernel.org", "patchwork-bot+netdevbpf@kernel.org"),
        ("pr-tracker-bot@kernel.org", "pr-tracker-bot@kernel.org"),
        ("tip-bot2 for Thomas Gleixner", "tip-bot2@linutronix.de"),
        ("KernelCI bot", "bot@kernelci.org"),
        ("GitHub", "noreply@github.com"),
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ("Sashiko", "sashiko-bot@kernel.org"),
        ("Some Robot", "x@y.example"),
    ],
)
def test_is_bot(name, email):
    assert is_bot(name, email)


@pytest.mark.parametrize(
    ("name", "email"),
    [("Talbot Smith", "abbot@example.org"), ("Guenter Roeck", "linux@roeck-us.net"), (None, "")],
)
def test_is_not_bot(name, email):
    assert not is_bot(name, email)


def test_bot_rules_reject_bad_line():
    with pytest.raises(ConfigError, match="bots:1"):
        BotRules.from_text("email foo@bar\n")


# --- organisations: each rule of the precedence ---------------------------------------

CORP_MAP = DomainMap.from_text(
    "corp.example Corp\n"
    "cam.ac.uk Independent\n"
    "uni.example University of Example\n"
    "163.com Net EASE\n"
    "kernel.org Kernel Corp\n"
    "indie.example (None)\n"
    "carol@partner.example Partner Inc < 2021-01-01\n"
    "partner.example Partner Group\n"
    "moved.example Old Name < 2015-01-01\n",
    "test-map",
)


def resolver(lists, **kw) -> OrgResolver:
    return OrgResolver([CORP_MAP], lists=lists, builtin_map=False, **kw)


def test_rule1_override_wins_with_dates(lists):
    ov = parse_overrides(
        "# who kind [from..until] org\n"
        "dave@corp.example individual 2020-01-01..2021-01-01\n"
        "gmail.com corporate ..2000-01-01 Early Gmail Inc\n",
        "ov",
    )
    r = resolver(lists, overrides=ov)
    a = r.attribute("dave@corp.example", day("2020-06-01"))
    assert (a.kind, a.reason) == (OrgKind.INDIVIDUAL, "override:ov:2")
    assert r.attribute("dave@corp.example", day("2021-06-01")).kind is OrgKind.CORPORATE
    early = r.attribute("x@gmail.com", day("1999-01-01"))
    assert (early.kind, early.org, early.reason) == (
        OrgKind.CORPORATE,
        "Early Gmail Inc",
        "override:ov:3",
    )


def test_override_errors():
    with pytest.raises(DomainMapError, match="kind must be"):
        parse_overrides("a@b.example employed\n")
    with pytest.raises(DomainMapError, match="ov:1"):
        parse_overrides("a@b.example\n", "ov")


def test_rule2_address_entry_before_domain(lists):
    r = resolver(lists)
    a = r.attribute("carol@partner.example", day("2020-01-01"))
    assert (a.org, a.reason) == ("Partner Inc", "address-map-until:test-map:7")
    later = r.attribute("carol@partner.example", day("2022-01-01"))
    assert (later.org, later.reason) == ("Partner Group", "domain-map:test-map:8")


def test_rule3_domain_map_parents_end_dates_and_exclusions(lists):
    r = resolver(lists)
    a = r.attribute("x@lab.eu.corp.example", day("2020-01-01"))
    assert (a.kind, a.org, a.reason) == (OrgKind.CORPORATE, "Corp", "domain-map:test-map:1")
    dated = r.attribute("x@moved.example", day("2014-01-01"))
    assert dated.reason == "domain-map-until:test-map:9"
    assert r.attribute("x@moved.example", day("2016-01-01")).reason == "no-evidence"
    # an explicit "no employer" mapping
    indie = r.attribute("x@indie.example", day("2020-01-01"))
    assert (indie.kind, indie.reason) == (OrgKind.INDIVIDUAL, "domain-map:test-map:6")
    # maps may not make a free-mail or community domain an employer
    assert r.attribute("x@163.com").reason == "freemail:163.com"
    assert r.attribute("x@kernel.org").reason == "community-domain:kernel.org"


def test_rule4_academic(lists):
    r = resolver(lists)
    a = r.attribute("x@cs.ox.ac.uk")
    assert (a.kind, a.org, a.reason) == (OrgKind.ACADEMIC, "ox.ac.uk", "academic-domain:ac.uk")
    # CNCF's "Independent" for a university does not make students individuals
    assert r.attribute("x@cam.ac.uk").kind is OrgKind.ACADEMIC
    # a mapped employer that is a university is academic, with the map's reason
    uni = r.attribute("x@uni.example")
    assert (uni.kind, uni.org, uni.reason) == (
        OrgKind.ACADEMIC,
        "University of Example",
        "domain-map:test-map:3",
    )
    assert r.attribute("x@informatik.uni-heidelberg.de").kind is OrgKind.ACADEMIC


def person_setup(lists, extra_signoffs=(), margin=timedelta(days=30)):
    stats = [
        stat("Alice Smith", "alice@corp.example", 20, "2020-01-01", "2020-12-31"),
        stat("Alice Smith", "alice@gmail.com", 10, "2019-01-01", "2023-12-31"),
        stat("Alice Smith", "alice@kernel.org", 10, "2019-01-01", "2023-12-31"),
        stat("Bob Jones", "bob@gmail.com", 5, "2020-01-01", "2020-12-31"),
        stat("Bob Jones", "bob@kernel.org", 5, "2020-01-01", "2020-12-31"),
        stat("Erin Wu", "erin@kernel.org", 5, "2020-01-01", "2020-12-31"),
    ]
    ids = resolve_identities(stats)
    return resolver(lists, identities=ids, stats=stats, signoffs=extra_signoffs, margin=margin)


def test_rule5_other_address_same_period(lists):
    r = person_setup(lists)
    a = r.attribute("alice@gmail.com", day("2020-06-01"))
    assert (a.kind, a.org, a.reason) == (
        OrgKind.CORPORATE,
        "Corp",
        "other-address:alice@corp.example",
    )
    assert r.attribute("alice@kernel.org", day("2021-01-15")).org == "Corp"  # within margin
    # outside the period (+ margin): gmail is individual, kernel.org borrows that
    assert r.attribute("alice@gmail.com", day("2022-06-01")).reason == "freemail:gmail.com"
    late = r.attribute("alice@kernel.org", day("2022-06-01"))
    assert (late.kind, late.reason) == (OrgKind.INDIVIDUAL, "other-address:alice@gmail.com")
    # no other address: kernel.org alone is unknown
    assert r.attribute("erin@kernel.org", day("2020-06-01")).kind is OrgKind.UNKNOWN


def test_rule6_signed_off_by(lists):
    sobs = [
        Signoff("bob@gmail.com", "bob.jones@bigco.example", day("2020-05-01"), "Bob Jones"),
        Signoff("bob@gmail.com", "maint@corp.example", day("2020-05-01"), "Some Maintainer"),
        Signoff("alice@gmail.com", "asmith@other.example", day("2020-06-01"), "Alice Smith"),
    ]
    m = DomainMap.from_text("bigco.example BigCo\nother.example Other\n", "m2")
    r = person_setup(lists, sobs)
    r = OrgResolver(
        [CORP_MAP, m],
        lists=lists,
        builtin_map=False,
        identities=r.identities,
        stats=r.stats,
        signoffs=sobs,
        margin=timedelta(days=30),
    )
    a = r.attribute("bob@gmail.com", day("2020-05-10"))
    assert (a.kind, a.org, a.reason) == (
        OrgKind.CORPORATE,
        "BigCo",
        "signed-off-by:bob.jones@bigco.example",
    )
    # far from the Signed-off-by date: free mail again
    assert r.attribute("bob@gmail.com", day("2020-12-01")).reason == "freemail:gmail.com"
    # another address of the same person beats a Signed-off-by
    assert r.attribute("alice@gmail.com", day("2020-06-01")).org == "Corp"


def test_rule6_employer_note_in_display_name(lists):
    """``Jane Doe (Corp) <jane@kernel.org>``: the note is an employer only when a map
    names it, and only near the From header or trailer that carries it."""
    stats = [
        stat("Pat Lee (Corp)", "pat@kernel.org", 4, "2020-01-01", "2020-03-31"),
        stat("Pat Lee", "pat@kernel.org", 9, "2020-04-01", "2023-12-31"),
        stat("Sam Roe (ThunderTown)", "sam@kernel.org", 3),
        stat("Kim Ahn (university of example)", "kim@gmail.com", 3),
        stat("Lou Tan", "lou@infradead.org", 8, "2019-01-01", "2023-12-31"),
    ]
    sobs = [  # Lou's sign-off, in a patch someone else sent: a note about Lou all the same
        Signoff("dev@corp.example", "lou@infradead.org", day("2021-06-01"), "Lou Tan (CORP)"),
        Signoff(
            "dev@corp.example", "lou@infradead.org", day("2023-06-01"), "Lou Tan (Partner Group)"
        ),
    ]
    r = resolver(lists, stats=stats, identities=resolve_identities(stats), signoffs=sobs,
                 margin=timedelta(days=30))
    a = r.attribute("pat@kernel.org", day("2020-02-01"))
    assert (a.kind, a.org, a.reason) == (OrgKind.CORPORATE, "Corp", "name-note:(Corp)")
    assert r.attribute("pat@kernel.org", day("2020-04-20")).org == "Corp"  # within margin
    assert r.attribute("pat@kernel.org", day("2021-01-01")).reason == "community-domain:kernel.org"
    assert r.attribute("sam@kernel.org", day("2020-06-01")).kind is OrgKind.UNKNOWN
    kim = r.attribute("kim@gmail.com", day("2020-06-01"))
    assert (kim.kind, kim.org) == (OrgKind.ACADEMIC, "University of Example")  # before freemail
    assert r.attribute("lou@infradead.org", day("2021-06-20")).org == "Corp"
    later = r.attribute("lou@infradead.org", day("2023-06-10"))
    assert (later.org, later.reason) == ("Partner Group", "name-note:(Partner Group)")
    assert r.attribute("lou@infradead.org", day("2022-06-01")).kind is OrgKind.UNKNOWN
    assert DomainMap.from_text("x.example Red Hat, Inc.\n", "t").employer_named("red hat inc")


def test_rule7_freemail_and_personal_domain(lists):
    stats = [stat("Guenter Roeck", "linux@roeck-us.example"), stat("Jo Bloggs", "jo@gmx.de")]
    r = resolver(lists, stats=stats, identities=resolve_identities(stats))
    a = r.attribute("jo@gmx.de")
    assert (a.kind, a.reason) == (OrgKind.INDIVIDUAL, "freemail:gmx.de")
    p = r.attribute("linux@roeck-us.example")
    assert (p.kind, p.reason) == (OrgKind.INDIVIDUAL, "personal-domain:roeck-us.example")


def test_personal_domain_needs_name_and_single_user(lists):
    stats = [
        stat("Bonnie Lo/WYHQ/Wiwynn", "bonnie@wiwynn.example"),
        stat("Wolfram Sang", "wsa@sang-engineering.example"),
        stat("Ann Kemp", "ann@kemp.example"),
        stat("Bert Kemp", "bert@kemp.example"),
        stat("Procedo Academy", "postmaster@procedo-academy.example"),
    ]
    r = resolver(lists, stats=stats, identities=resolve_identities(stats))
    for email in (
        "bonnie@wiwynn.example",
        "wsa@sang-engineering.example",
        "ann@kemp.example",
        "postmaster@procedo-academy.example",
    ):
        assert r.attribute(email).kind is OrgKind.UNKNOWN, email


def test_rule8_unknown_and_bots(lists):
    stats = [stat("kernel test robot", "lkp@intel.com")]
    r = resolver(lists, stats=stats)
    assert r.attribute("x@nowhere.example").reason == "no-evidence"
    bot = r.attribute("lkp@intel.com")
    assert (bot.kind, bot.reason) == (OrgKind.UNKNOWN, "bot")


def test_affiliations_have_periods(lists):
    r = person_setup(lists)
    rows = [a for a in r.affiliations() if a.email == "alice@gmail.com"]
    assert all(isinstance(a, Affiliation) for a in rows)
    assert [(a.kind, a.reason) for a in rows] == [
        (OrgKind.INDIVIDUAL, "freemail:gmail.com"),
        (OrgKind.CORPORATE, "other-address:alice@corp.example"),
        (OrgKind.INDIVIDUAL, "freemail:gmail.com"),
    ]
    assert rows[0].valid_from is None and rows[-1].valid_to is None
    assert rows[1].valid_from == day("2020-01-01") - timedelta(days=30)
    assert rows[1].valid_to == rows[2].valid_from == day("2020-12-31") + timedelta(days=30)
    assert all(a.person_id == "alice@corp.example" for a in rows)
    for a in rows:
        for d in (a.valid_from, a.valid_to):
            assert d is None or d.tzinfo is not None


PATCH_BODY = """Make it work.

Signed-off-by: Alice Smith <alice@corp.example>
---
 drivers/x.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/drivers/x.c b/drivers/x.c
--- a/drivers/x.c
+++ b/drivers/x.c
@@ -1 +1,2 @@
 a
+b
"""


def test_org_coverage_report(tmp_path: Path) -> None:
    """The `org_coverage` report (analytics/reports/org_coverage.sql; the figures
    `lorelens orgs` prints): known shares of messages, patch authors and reviewers,
    bots left out. Alice's company is in the domain map; Erin writes only from
    kernel.org, a community domain (unknown); the kernel test robot is a bot."""
    alice, erin = "Alice Smith <alice@corp.example>", "Erin Wu <erin@kernel.org>"
    mails = [
        make_mail(1, sender=alice, subject="[PATCH] x: make it work", body=PATCH_BODY),
        make_mail(2, sender=erin, subject="Re: [PATCH] x: make it work",
                  extra="In-Reply-To: <mail-1@example.com>",
                  body="Looks right.\n\nReviewed-by: Erin Wu <erin@kernel.org>\n"),
        make_mail(3, sender=alice, subject="Re: [PATCH] x: make it work",
                  extra="In-Reply-To: <mail-2@example.com>", body="Thanks.\n"),
        make_mail(4, sender=alice, subject="a question"),
        make_mail(5, sender="kernel test robot <lkp@intel.com>",
                  subject="Re: [PATCH] x: make it work",
                  extra="In-Reply-To: <mail-1@example.com>", body="Build passed.\n"),
    ]
    db = tmp_path / "t.duckdb"
    run_ingest([write_mbox(tmp_path / "list.mbox", mails)], db)
    domain_map = tmp_path / "domain-map"
    domain_map.write_text("corp.example\tCorp Inc\n")
    store = Database(db)
    try:
        set_org_inputs(store.con, domain_maps=[domain_map])
        enrich(store.con)
    finally:
        store.close()
    con = connect_readonly(db)
    try:
        got = {r["population"]: (r["total"], r["known"], r["known_pct"])
               for r in run_report(con, "org_coverage").records()}
    finally:
        con.close()
    assert got == {"messages": (4, 3, 75.0), "patch authors": (1, 1, 100.0),
                   "reviewers": (1, 0, 0.0)}


def test_identities_do_not_depend_on_string_hashing():
    """An address with several display names merges under a reason that must not follow
    a set's iteration order (which changes with ``PYTHONHASHSEED``)."""
    script = (
        "from datetime import datetime, UTC\n"
        "from ingest.enrich.people import AddressStat, resolve_identities\n"
        "d = datetime(2020, 1, 1, tzinfo=UTC)\n"
        "names = ['Ann Lee', 'Bob Stone', 'Carl Ives', 'Dora Moss', 'Emil Karr', 'Fay Dunn']\n"
        "stats = [AddressStat(n, 'multi@spam.example', 1, d, d) for n in names]\n"
        "stats += [AddressStat(n, f'{i}@other.example', 1, d, d) for i, n in enumerate(names)]\n"
        "print(sorted((i.email, i.reason) for i in resolve_identities(stats).identities))\n"
    )
    outs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       check=True, env={**os.environ, "PYTHONHASHSEED": seed},
                       cwd=Path(__file__).parents[1]).stdout
        for seed in ("1", "2", "3", "4", "5", "6")
    }
    assert len(outs) == 1, outs
