"""Our trailer scanner gives exactly what b4's own LoreMessage gives.

``ingest.trailers.scan(body, followup)`` must equal ``LoreMessage.find_trailers(body,
followup=...)[0]`` and ``patch_trailers(body)`` must equal
``LoreMessage.get_body_parts(body)[2]``, on bodies written here and on a seeded sample of
real bodies from the shared archives.
"""

from __future__ import annotations

import email
import email.policy
import random
import subprocess
from pathlib import Path

import pytest
from b4 import LoreMessage, LoreTrailer

from ingest.diff import looks_like_diff
from ingest.trailers import patch_trailers, scan
from tests.conftest import LIVEPATCH, MAILS, WATCHDOG


def key(trailers: list[LoreTrailer]) -> list[tuple[object, ...]]:
    return [(t.name, t.value, t.extinfo, t.type, t.addr) for t in trailers]


def assert_same(body: str) -> None:
    for followup in (False, True):
        assert key(scan(body, followup=followup)) == key(
            LoreMessage.find_trailers(body, followup=followup)[0]
        ), (followup, body)


def assert_same_patch(body: str) -> None:
    assert key(patch_trailers(body)) == key(LoreMessage.get_body_parts(body)[2]), body


WRITTEN = {
    "plain": "Fix it.\n\nSigned-off-by: A B <a@example.com>\n",
    "extinfo": "Fix.\n\nCc: stable@vger.kernel.org # 5.10+\n"
               "Reviewed-by: R <r@example.com> # for the core part\n"
               "Signed-off-by: A <a@example.com>\n",
    "two-hashes": "x\n\nCc: stable@vger.kernel.org # 5.4 # and more\n",
    "bracket": "Fix.\n\nSigned-off-by: A <a@example.com>\n[maintainer: reworded the log]\n"
               "Signed-off-by: M <m@example.com>\n",
    "bracket-not-after-trailer": "Text\n[not extinfo]\n\nAcked-by: X <x@example.com>\n",
    "fixes": "Fixes: 0123456789ab (\"foo: a very long\nsubject\")\nFixes: not-a-hash\n",
    "wrapped-address": "Signed-off-by: A Very Long Name\n<long@example.com>\n",
    "url-under-other-name": "See: https://example.com/x\nLink: https://lore.kernel.org/r/1@x\n",
    "headers-after-text": "Some text\nFrom: X <x@example.com>\nSubject: y\n",
    "ignored": "Phone: +1 555 1234\nEmail: a@example.com\nAcked-by: a@example.com\n",
    "signature": "Ok.\n\nAcked-by: A <a@example.com>\n-- \nSigned-off-by: S <s@example.com>\n",
    "non-ascii-name": "Tëstéd-by: T <t@example.com>\nReviewed-by: Ünï Cödé <u@example.com>\n",
    "no-space": "Reviewed-by:R <r@example.com>\nAcked-by:  A  <a@example.com>  \n",
    "crlf": "Fix.\r\n\r\nSigned-off-by: A <a@example.com>\r\n",
    "empty": "",
    "quoted-reply": "> Signed-off-by: Q <q@example.com>\n\nReviewed-by: R <r@example.com>\n",
}

PATCHES = {
    "simple": "Log.\n\nSigned-off-by: A <a@example.com>\n---\n f | 1 +\n 1 file changed, "
              "1 insertion(+)\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n",
    "no-separator": "Log.\n\nSigned-off-by: A <a@example.com>\ndiff --git a/f b/f\n--- a/f\n"
                    "+++ b/f\n@@ -0,0 +1 @@\n+x\n",
    "trailers-then-notes": "Log.\n\nReviewed-by: R <r@example.com> # v1\n"
                           "Signed-off-by: A <a@example.com>\n[a: bracket]\n---\nv2: x\n\n"
                           "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n-- \n2.43\n",
    "one-paragraph": "Signed-off-by: A <a@example.com>\n---\ndiff --git a/f b/f\n--- a/f\n"
                     "+++ b/f\n@@ -0,0 +1 @@\n+x\n",
    "separator-with-spaces": "Log.\n\nSigned-off-by: A <a@example.com>\n---  \n f | 1 +\n"
                             " 1 file changed, 1 insertion(+)\n\ndiff --git a/f b/f\n--- a/f\n"
                             "+++ b/f\n@@ -0,0 +1 @@\n+x\n",
    "diff-word-in-log": "The\ndiff between v1 and v2 is small.\n\nSigned-off-by: A <a@example.com>"
                        "\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n",
    "crlf": "Log.\r\n\r\nSigned-off-by: A <a@example.com>\r\n---\r\ndiff --git a/f b/f\r\n"
            "--- a/f\r\n+++ b/f\r\n@@ -0,0 +1 @@\r\n+x\r\n",
}


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_written_bodies(name: str) -> None:
    assert_same(WRITTEN[name])


def test_extinfo_is_split_like_b4() -> None:
    found = scan(WRITTEN["extinfo"])
    assert [(t.lname, t.value, t.extinfo) for t in found] == [
        ("cc", "stable@vger.kernel.org", " # 5.10+"),
        ("reviewed-by", "R <r@example.com>", " # for the core part"),
        ("signed-off-by", "A <a@example.com>", None),
    ]
    assert scan(WRITTEN["bracket"])[0].extinfo == "[maintainer: reworded the log]"


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_written_patches(name: str) -> None:
    assert_same_patch(PATCHES[name])
    assert_same(PATCHES[name])


def test_the_odd_mails() -> None:
    for eml in sorted(MAILS.glob("*.eml")):
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        if part is None:
            continue
        body = part.get_content()
        assert_same(body)
        if looks_like_diff(body):
            assert_same_patch(body)


# -- real bodies ------------------------------------------------------------------------
SAMPLE_PER_ARCHIVE = 1000


def _bodies(git_dir: Path, n: int, seed: int) -> list[str]:
    shas = subprocess.run(
        ["git", "--git-dir", str(git_dir), "rev-list", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    picked = random.Random(seed).sample(shas, min(n, len(shas)))
    out = subprocess.run(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
        input="".join(f"{s}:m\n" for s in picked).encode(), capture_output=True, check=True,
    ).stdout
    bodies = []
    pos = 0
    while pos < len(out):
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split()
        pos = nl + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        raw = out[pos : pos + size]
        pos += size + 1
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        try:
            part = msg.get_body(preferencelist=("plain",))
            body = part.get_content() if part is not None else None
        except (LookupError, ValueError, AttributeError):
            continue
        if body:
            bodies.append(body)
    return bodies


@pytest.fixture(scope="module")
def real_bodies(shared_archives: Path) -> list[str]:
    out = []
    for seed, name in enumerate((WATCHDOG, LIVEPATCH)):
        out += _bodies(shared_archives / name, SAMPLE_PER_ARCHIVE, seed)
    return out


@pytest.mark.slow
def test_real_bodies(real_bodies: list[str]) -> None:
    assert len(real_bodies) > 1800
    bad = []
    for i, body in enumerate(real_bodies):
        for followup in (False, True):
            if key(scan(body, followup)) != key(LoreMessage.find_trailers(body, followup)[0]):
                bad.append((i, f"scan followup={followup}"))
        if looks_like_diff(body) and key(patch_trailers(body)) != key(
            LoreMessage.get_body_parts(body)[2]
        ):
            bad.append((i, "patch_trailers"))
    assert not bad, f"{len(bad)} differences, first: {bad[:5]}; body: {real_bodies[bad[0][0]]!r}"


@pytest.mark.parametrize("text, notice", [
    ("Applied, thanks!", "Applied, thanks!"),
    ("On Mon, A wrote:\n> the patch\n\nApplied to watchdog-next.", "Applied to watchdog-next."),
    ("> the patch\n\nQueued for 6.9, thanks", "Queued for 6.9, thanks"),
    ("Applied on top of v6.1 and tested on my board", None),
    ("Applied to my local tree, will test tomorrow", None),
    ("Applied it, but it does not compile.", None),
    ("Picked up for review", None),
    ("The fix has to be applied to the system first.", None),
])
def test_applied_notice(text: str, notice: str | None) -> None:
    from ingest.trailers import applied_notice

    assert applied_notice(text) == notice


def test_bot_report_only_opens_a_reply():
    from ingest.trailers import bot_report

    report = "My bot found errors running 'make dt_binding_check' on your patch:"
    assert bot_report(f"On Mon, 3 Jun 2024, Ann\nAuthor wrote:\n\n{report}\n\nmore\n") == report
    assert bot_report(f"\n{report}\n") == report
    assert bot_report(f"Looks fine to me.\n\n{report}\n") is None  # a person, quoting it
    assert bot_report("Thanks, applied.\n") is None


def test_b4_is_pinned_to_the_minor_version_tested() -> None:
    """``ingest/trailers.py`` rebuilds ``LoreTrailer`` objects from their attributes and
    follows ``find_trailers`` rule for rule, so a new b4 minor version may change what it
    must copy: pyproject.toml allows only the minor version installed and tested here."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    (b4,) = [Requirement(r) for r in project["project"]["dependencies"]
             if Requirement(r).name == "b4"]
    installed = Version(version("b4"))
    assert installed in b4.specifier
    minor = Version(f"{installed.major}.{installed.minor}")
    next_minor = Version(f"{installed.major}.{installed.minor + 1}")
    assert minor in b4.specifier and next_minor not in b4.specifier, str(b4.specifier)
