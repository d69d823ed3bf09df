"""Tests of the seeded corpus generator (corpus/): determinism, valid archives in every
format, the planted pitfalls and the internal consistency of truth.json."""

from __future__ import annotations

import email
import email.policy
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from corpus.api import SampleError, write_sample
from corpus.maintainers import sections_for_file
from corpus.model import LISTS
from corpus.noise import MISSING_PARENT
from corpus.people import build_cast

ALL = ("v2", "v1", "mbox", "maildir")
GIT = ["git", "-c", "safe.directory=*"]
EXPECTED_PITFALLS = {
    "answers-only-to-cover",
    "bot-only-replies",
    "change-id",
    "cross-posted",
    "date-epoch",
    "date-far-future",
    "date-impossible-offset",
    "date-missing",
    "date-unparsable",
    "deleted-message",
    "duplicate-message-id-different-content",
    "employer-change-between-versions",
    "extra-patch-6-of-5",
    "folded-headers",
    "freemail-corporate-signed-off-by",
    "git-pull-with-pr-tracker-bot",
    "iso-8859-1-name-and-body",
    "koi8r-name-and-body",
    "maintainer-other-address",
    "mbox-from-line-in-body",
    "missing-parent",
    "multipart-alternative-html",
    "multipart-mixed-attachment",
    "never-answered",
    "newcomer-answered",
    "newcomer-ignored",
    "no-message-id",
    "orphan-section",
    "pending-unanswered",
    "prefix-without-space",
    "re-patch-respin",
    "resend",
    "respin-in-reply-to-previous-cover",
    "rfc",
    "rfc2047-subject-utf8",
    "same-subject-different-authors",
    "series-in-reply-to-other-series",
    "syzbot-thread",
    "tags-carried",
}


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "s"
    summary = write_sample(out, seed=42, scale=300, formats=ALL, git_tree=True)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return summary, truth


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(
        [*GIT, f"--git-dir={git_dir}", *args], check=True, capture_output=True
    ).stdout


def _commits(git_dir: Path) -> list[tuple[str, str, bytes]]:
    """(commit, path 'm' or 'd', blob bytes) oldest first."""
    out = []
    for c in _git(git_dir, "rev-list", "--reverse", "master").decode().split():
        names = _git(git_dir, "ls-tree", "--name-only", c).decode().split()
        assert len(names) == 1, names
        out.append((c, names[0], _git(git_dir, "cat-file", "blob", f"{c}:{names[0]}")))
    return out


def _v2_mails(inbox: Path) -> list[bytes]:
    mails: list[bytes] = []
    deleted: list[bytes] = []
    for epoch in sorted((inbox / "git").iterdir(), key=lambda p: int(p.stem)):
        for _, path, blob in _commits(epoch):
            (mails if path == "m" else deleted).append(blob)
    for d in deleted:
        mails.remove(d)
    return mails


def _mboxrd(data: bytes) -> list[bytes]:
    out = []
    for chunk in re.split(rb"(?m)^From [^\n]*\n", data)[1:]:
        assert chunk.endswith(b"\n\n")
        out.append(re.sub(rb"(?m)^>(>*From )", rb"\1", chunk[:-1]))
    return out


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    a = write_sample(tmp_path / "a", seed=7, scale=300, formats=ALL, git_tree=True)
    b = write_sample(tmp_path / "b", seed=7, scale=300, formats=ALL, git_tree=True)
    c = write_sample(tmp_path / "c", seed=8, scale=300, formats=("v2",))
    da, db = _tree_digest(a.out_dir), _tree_digest(b.out_dir)
    assert da == db
    assert len(da) > 50
    head = "inbox/linux-frob/git/0.git/refs/heads/master"
    assert (a.out_dir / head).read_text() == (b.out_dir / head).read_text()
    assert (a.out_dir / head).read_text() != (c.out_dir / head).read_text()
    assert (a.truth.read_bytes()) != (c.truth.read_bytes())


def test_git_fsck_clean(sample):
    summary, _ = sample
    repos = [*summary.out_dir.glob("inbox/*/git/*.git"), *summary.v1_repos.values()]
    repos.append(summary.kernel_git)
    for repo in repos:
        r = subprocess.run(
            [*GIT, f"--git-dir={repo}", "fsck", "--strict", "--no-dangling"],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0 and not r.stdout.strip() and "error" not in r.stderr, (repo, r)


def test_v2_layout_and_commit_identity(sample):
    summary, truth = sample
    inbox = summary.inboxes["linux-frob"]
    assert (inbox / "inbox.lock").exists()
    assert "linux-frob@vger.example.org" in (inbox / "description").read_text()
    alts = (inbox / "all.git/objects/info/alternates").read_text().split()
    assert alts == [f"../../git/{i}.git/objects" for i in range(summary.epochs["linux-frob"])]
    log = _git(inbox / "git/0.git", "log", "-3", "--format=%ae|%cn|%ce|%s").decode()
    for line in log.splitlines():
        ae, cn, ce, subj = line.split("|", 3)
        assert ce == "linux-frob@vger.example.org" and cn == "linux-frob"
        assert "@" in ae and subj
    msg = next(m for m in truth["messages"] if m["date_source"] == "archive:bad-offset")
    author = _git(inbox / "git/0.git", "log", "--all", "--format=%ad|%s", "--date=raw").decode()
    assert any(line.split("|")[0].endswith("+1900") for line in author.splitlines()), msg


def test_every_message_parses_with_expected_headers(sample):
    summary, truth = sample
    nomid = set(truth["pitfalls"]["no-message-id"][0].values())
    for lst in LISTS:
        for raw in _v2_mails(summary.inboxes[lst]):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert msg["List-Id"] == f"<{lst}.vger.example.org>"
            assert msg["From"] and msg["Subject"] and msg["Received"]
            if msg["Message-ID"] is None:
                assert str(msg["Subject"]) in nomid
            body = msg.get_body(("plain",))
            assert body is not None and body.get_content()


def test_all_formats_hold_the_same_messages(sample):
    summary, _ = sample
    out = summary.out_dir
    for lst in LISTS:
        v2 = Counter(_v2_mails(summary.inboxes[lst]))
        v1 = Counter(blob for _, _, blob in _commits(summary.v1_repos[lst]))
        mbox = Counter(_mboxrd((out / "mbox" / f"{lst}.mbox").read_bytes()))
        gz = Counter(_mboxrd(gzip.decompress((out / "mbox" / f"{lst}.mbox.gz").read_bytes())))
        mdir = Counter(p.read_bytes() for p in (summary.maildirs[lst] / "cur").iterdir())
        assert v2 == v1 == mbox == gz == mdir
        assert sum(v2.values()) > 20


def test_truth_is_internally_consistent(sample):
    summary, truth = sample
    msgs = truth["messages"]
    ids = {m["message_id"] for m in msgs if m["message_id"]}
    firsts = [m for m in msgs if not m.get("duplicate")]
    assert truth["totals"]["messages"] == len(firsts) == summary.messages
    assert truth["totals"]["patches"] == sum(m["is_patch"] for m in firsts) == summary.patches
    assert truth["totals"]["covers"] == sum(m["is_cover"] for m in firsts)
    assert truth["totals"]["threads"] == len({m["thread_root"] for m in firsts})
    assert truth["totals"]["series"] == len(truth["series"]) == summary.series
    archived: Counter[str | None] = Counter()
    for lst in LISTS:
        for raw in _v2_mails(summary.inboxes[lst]):
            m = re.search(rb"(?mi)^Message-ID: <([^>]+)>", raw.split(b"\n\n", 1)[0])
            archived[m.group(1).decode() if m else None] += 1
    assert set(archived) - {None} == ids
    for m in msgs:
        if m["in_reply_to"]:
            assert m["in_reply_to"] in ids or m["in_reply_to"] == MISSING_PARENT
        assert m["thread_root"] in ids or m["thread_root"] == MISSING_PARENT
        assert m["lists"] and m["date"] and m["archive_time"]
    series = {s["key"]: s for s in truth["series"]}
    outcomes: Counter[str | None] = Counter()
    for s in truth["series"]:
        outcomes[s["outcome"]] += 1
        assert set(s["message_ids"]) <= ids
        assert s["n_patches"] == sum(1 for m in firsts if m["series"] == s["key"] and m["is_patch"])
        for k in ("prev_version", "next_version", "resend_of", "resent_as"):
            assert s[k] is None or s[k] in series
        if s["prev_version"]:
            assert series[s["prev_version"]]["next_version"] == s["key"]
            assert series[s["prev_version"]]["outcome"] == "superseded"
            assert s["version"] == series[s["prev_version"]]["version"] + 1
        if s["outcome"] == "ignored":
            assert s["first_response_at"] is None or s["first_response_at"] > s["posted_at"]
        if s["first_maintainer_response_at"]:
            assert s["first_response_at"] <= s["first_maintainer_response_at"]
        assert s["subsystems"]
    assert outcomes == Counter(truth["totals"]["outcomes"])
    assert set(outcomes) <= {"applied", "superseded", "ignored", "pending", "discussed"}
    per_sub = Counter(sub for s in truth["series"] for sub in s["subsystems"])
    for sub in truth["subsystems"]:
        assert sub["series"] == per_sub[sub["name"]]
    bots = {p["id"] for p in truth["people"] if p["is_bot"]}
    assert not any(m["is_response"] and m["person"] in bots for m in msgs)


def test_planted_pitfalls_present(sample):
    summary, truth = sample
    assert set(truth["pitfalls"]) >= EXPECTED_PITFALLS
    out = summary.out_dir
    frob = (out / "mbox/linux-frob.mbox").read_bytes()
    widget = (out / "mbox/linux-widget.mbox").read_bytes()
    both = frob + widget
    for needle in (
        b"+1900\n",
        b"Date: Tuesday the 14th",
        b"=?UTF-8?B?",
        b"=?iso-8859-1?q?",
        b"charset=koi8-r",
        b"multipart/mixed",
        b"multipart/alternative",
        b"[PATCH1/8]",
        b"[PATCH 6/5]",
        b"[PATCH RESEND]",
        b"change-id: ",
        b"\n>From the log",
        b"\n>>From what",
        b"Reported-by: kernel test robot",
        b"This series was applied to",
        b"Subject: Re: [PATCH]",
    ):
        assert needle in both, needle
    assert re.search(rb"(?m)^Cc: .*\n\t", both) or re.search(rb"(?m)^To: .*,\n\t", both)
    assert re.search(rb"(?m)^Subject: [^\n]*\n [^\n]", both)
    dup = truth["pitfalls"]["duplicate-message-id-different-content"][0]
    assert both.count(f"Message-ID: <{dup}>".encode()) == 2
    deleted = truth["deleted"][0]
    v2 = b"".join(_v2_mails(summary.inboxes["linux-widget"]))
    assert deleted["message_id"].encode() not in v2 + widget
    assert any(p == "d" for _, p, _ in _commits(out / "inbox/linux-widget/git/0.git"))
    cross = [m for m in truth["messages"] if len(m["lists"]) == 2]
    assert cross
    mid = cross[0]["message_id"].encode()
    assert mid in frob and mid in widget
    dm = (out / "domain-map").read_text()
    assert re.search(r"(?m)^\S+\t[^\n<]+ < \d{4}-\d{2}-\d{2}$", dm)
    people = {p["id"]: p for p in truth["people"]}
    assert len(people["p-feldkamp"]["orgs"]) == 2
    assert people["p-brisbane"]["newcomer"]
    kinds = {p["orgs"][-1]["kind"] for p in people.values()}
    assert kinds == {"corporate", "individual", "academic", "unknown"}


def test_maintainers_format_and_matching(sample):
    summary, truth = sample
    text = summary.maintainers.read_text()
    assert text.startswith("List of maintainers")
    for tag in "MRLSFXNKTW":
        assert re.search(rf"(?m)^{tag}:\t\S", text), tag
    assert "S:\tOrphan" in text and "S:\tOdd Fixes" in text
    assert "L:\tfrob-rust@googlegroups.com" in text
    assert sections_for_file("drivers/frob/core/queue.c") == ("FROB CORE",)
    assert sections_for_file("drivers/frob/bus.c") == ("FROB SUBSYSTEM",)
    assert sections_for_file("drivers/frob/legacy/frob-isa.c") == ("FROB LEGACY DRIVERS",)
    assert sections_for_file("drivers/frob/acme-frob.c") == ("ACME FROB CONTROLLER DRIVER",)
    assert sections_for_file("drivers/widget/gpio-acme.c") == ("WIDGET GPIO DRIVERS",)
    assert sections_for_file("arch/arm64/boot/dts/acme/acme-w100.dts") == (
        "ACME WIDGET PLATFORM SUPPORT",
    )
    files = {f["path"]: f for f in truth["files"]}
    assert files["drivers/frob/legacy/frob-pcmcia.c"]["last_change"] < "2017"
    assert max(f["last_change"] for f in files.values()) > "2024"


def test_multiple_epochs_from_scale_2000(tmp_path):
    s = write_sample(tmp_path / "e", seed=3, scale=2000, formats=("v2",))
    assert min(s.epochs.values()) >= 2
    total = sum(
        int(_git(ep, "rev-list", "--count", "master")) for ep in s.out_dir.glob("inbox/*/git/*.git")
    )
    truth = json.loads(s.truth.read_text())
    copies = sum(len(m["lists"]) for m in truth["messages"])
    assert total == copies + 2 * len(truth["deleted"])
    assert 1500 < s.messages < 2600


def _shared_addresses(people) -> dict[str, list[str]]:
    """Addresses (case-folded) that more than one person owns: id lists by address."""
    owners: dict[str, set[str]] = {}
    for pid, addresses in people:
        for a in addresses:
            owners.setdefault(a.lower(), set()).add(pid)
    return {a: sorted(o) for a, o in owners.items() if len(o) > 1}


@pytest.mark.parametrize(("seed", "scale"), [(42, 2000), (7, 6000)])
def test_no_address_belongs_to_two_persons(tmp_path, seed, scale):
    # Real mail systems never give two people one address, and lorelens counts one
    # address as one person: seed 42 at scale 2,000 once gave the planted newcomer Dorian
    # Whitcombe and the regular Dorian Nightingale both dorian@acme-semi.example.
    s = write_sample(tmp_path / "s", seed=seed, scale=scale, formats=("mbox",), parallel=False)
    truth = json.loads(s.truth.read_text(encoding="utf-8"))
    people = [(p["id"], p["addresses"] + p["addresses_used"]) for p in truth["people"]]
    assert _shared_addresses(people) == {}
    # the whole cast, including the crowd members who never post at these scales
    for n in (500, 4000):
        cast = build_cast(random.Random(seed), n)
        everyone = [
            (p.id, (*p.addresses, *(a for _t, a in p.moves), *filter(None, [p.sob_address])))
            for p in cast.people.values()
        ]
        assert _shared_addresses(everyone) == {}


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(SampleError):
        write_sample(tmp_path, formats=("v3",))


def test_public_inbox_accepts_the_v2_inbox(sample, tmp_path):
    if shutil.which("public-inbox-index") is None:
        if os.environ.get("CI"):
            pytest.fail("public-inbox-index is not on PATH (required when CI is set)")
        pytest.skip("public-inbox-index not on PATH (apt-get install public-inbox)")
    summary, truth = sample
    inbox = tmp_path / "linux-widget"
    shutil.copytree(summary.inboxes["linux-widget"], inbox)
    env = {**os.environ, "PI_CONFIG": str(tmp_path / "pi-config"), "HOME": str(tmp_path)}
    r = subprocess.run(
        [
            "public-inbox-init",
            "-V2",
            "linux-widget",
            str(inbox),
            "http://127.0.0.1/linux-widget",
            "linux-widget@vger.example.org",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["public-inbox-index", str(inbox)], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import sqlite3

    with sqlite3.connect(inbox / "msgmap.sqlite3") as db:
        (n,) = db.execute("SELECT COUNT(*) FROM msgmap").fetchone()
    expected = sum(
        1
        for m in truth["messages"]
        if "linux-widget@vger.example.org" in m["lists"]
        and m["message_id"]
        and not m.get("duplicate")
    )
    assert n == expected


# -- the pack writer (corpus.gitpack, corpus.writers.CommitLog) -------------------------------


def _fake_mail(name: str, addr: str, subject: str, date_ts: int, tz: str, archive_ts: int):
    from corpus.model import Mail

    return Mail(
        seq=1,
        archive_ts=archive_ts,
        lists=("linux-frob",),
        mid=None,
        sender_name=name,
        from_addr=addr,
        subject=subject,
        date_ts=date_ts,
        date_tz=tz,
        body=b"",
    )


def _pack_cases() -> list[tuple[bytes, object, str, int]]:
    """(raw, mail, path, committer time): odd names and zones, a blob stored twice (the
    deletion), one over 64 KiB (several stored deflate blocks), an empty one."""
    big = b"".join(b"line %06d of a long attachment\n" % i for i in range(3000))
    rows = [
        (b"Subject: a\n\nhello\n", "Jürgen Kühlmann", "j@x.example", "a", 1704067200, "+0100"),
        (b"Subject: b\n\n" + big, "Дмитрий", "d@y.example", "b\nfolded", 1704070000, "+1900"),
        (b"", "kernel test robot", "lkp@intel.com", "empty", 0, "+0000"),
        (b"Subject: spam\n\nbuy\n", "Spam", "s@z.example", "spam", 1704090000, "-0500"),
        (b"Subject: c\n\nafter\n", "A <B>", "c@q.example", "c", 1704100000, "+0530"),
    ]
    cases = []
    for raw, name, addr, subject, date_ts, tz in rows:
        ct = (date_ts or 1704080000) + 60
        cases.append((raw, _fake_mail(name, addr, subject, date_ts, tz, ct), "m", ct))
    spam = cases[3]
    cases.insert(4, (spam[0], spam[1], "d", spam[3] + 7200))
    return cases


def _fast_import_head(git_dir: Path, cases) -> str:
    """The same commits through ``git fast-import`` (what the generator used before)."""
    from corpus.writers import author_time, init_bare

    init_bare(git_dir)
    stream = bytearray()
    current = None
    for raw, mail, path, ct in cases:
        at, atz = author_time(mail)
        name = mail.sender_name.replace("<", "").replace(">", "")
        msg = mail.subject.replace("\n", " ").encode()
        stream += b"commit refs/heads/master\n"
        stream += f"author {name} <{mail.from_addr}> {at} {atz}\n".encode()
        stream += f"committer linux-frob <linux-frob@vger.example.org> {ct} +0000\n".encode()
        stream += b"data %d\n%s\n" % (len(msg), msg)
        if current not in (None, path):
            stream += f"D {current}\n".encode()
        current = path
        stream += b"M 100644 inline %s\ndata %d\n%s\n\n" % (path.encode(), len(raw), raw)
    subprocess.run(
        [*GIT, f"--git-dir={git_dir}", "fast-import", "--quiet", "--date-format=raw-permissive"],
        input=bytes(stream),
        check=True,
        capture_output=True,
    )
    return _git(git_dir, "rev-parse", "refs/heads/master").decode().strip()


def _write_with_pack_writer(git_dir: Path, cases) -> str:
    from corpus.writers import CommitLog, author_time, init_bare

    init_bare(git_dir)
    log = CommitLog(git_dir, "linux-frob <linux-frob@vger.example.org>")
    for raw, mail, path, ct in cases:
        at, atz = author_time(mail)
        log.commit((raw, *_objects(raw, path)), mail, at, atz, ct)
    log.close()
    return (git_dir / "refs/heads/master").read_text().strip()


def _objects(raw: bytes, path: str):
    """The prepared blob and one-file tree of ``raw`` (as ``writers.list_copies`` makes
    them, without the list prefix)."""
    from corpus.gitpack import BLOB, prepare, prepare_tree

    blob = prepare(BLOB, raw)
    return blob, prepare_tree(b"100644 %s\0" % path.encode(), blob[0])


def test_pack_writer_commits_equal_fast_import(tmp_path):
    cases = _pack_cases()
    ours = _write_with_pack_writer(tmp_path / "ours.git", cases)
    theirs = _fast_import_head(tmp_path / "theirs.git", cases)
    assert ours == theirs
    repo = tmp_path / "ours.git"
    r = subprocess.run(
        [*GIT, f"--git-dir={repo}", "fsck", "--strict", "--no-dangling"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and not r.stdout.strip() and "error" not in r.stderr, r
    (idx,) = (repo / "objects/pack").glob("pack-*.idx")
    _git(repo, "verify-pack", str(idx))
    commits = _commits(repo)
    assert [blob for _, _, blob in commits] == [raw for raw, *_ in cases]
    assert [p for _, p, _ in commits] == [p for _, _, p, _ in cases]
    n_objects = len(_git(repo, "cat-file", "--batch-all-objects", "--batch-check").splitlines())
    assert n_objects == 3 * len(cases) - 1  # the deleted spam's blob is stored once


def test_pack_idx_uses_64_bit_offsets_past_2_gib():
    import struct

    from corpus.gitpack import idx_v2

    index = {bytes([i]) * 20: (i, off) for i, off in enumerate((12, 1 << 31, 5 << 30, 40))}
    idx = idx_v2(index, b"\x01" * 20)
    assert idx[:8] == b"\377tOc\x00\x00\x00\x02"
    n = len(index)
    fanout = struct.unpack(">256I", idx[8 : 8 + 1024])
    assert fanout[0] == 1 and fanout[255] == n
    at = 8 + 1024 + 20 * n + 4 * n
    small = struct.unpack(f">{n}I", idx[at : at + 4 * n])
    large = struct.unpack(">2Q", idx[at + 4 * n : at + 4 * n + 16])
    assert small == (12, 0x80000000, 0x80000001, 40)
    assert large == (1 << 31, 5 << 30)
    assert hashlib.sha1(idx[:-20]).digest() == idx[-20:]


def test_parallel_and_serial_runs_write_the_same_bytes(tmp_path):
    a = write_sample(tmp_path / "a", seed=11, scale=400, formats=ALL, git_tree=True)
    b = write_sample(tmp_path / "b", seed=11, scale=400, formats=ALL, git_tree=True, parallel=False)
    assert _tree_digest(a.out_dir) == _tree_digest(b.out_dir)


def test_one_or_two_draws_like_sample():
    """The patch writer's hunk pick draws exactly what ``sorted(sample(range(n), k))`` did."""
    from corpus.content import _one_or_two, sample

    for seed in range(200):
        a, b = random.Random(seed), random.Random(seed)
        two = seed % 3 == 0
        want = tuple(sorted(sample(a, range(10), 2 if two else 1)))
        assert _one_or_two(b.getrandbits, 10, two) == want
        assert a.getstate() == b.getstate()


def test_prepared_objects_equal_plain_pack_entries():
    """``gitpack.prepare`` (cached frames, 3-byte size headers) frames an object exactly as
    ``pack_entry`` does, with the CRC-32 of those bytes and git's object id."""
    import zlib

    from corpus.gitpack import BLOB, COMMIT, TREE, object_id, pack_entry, prepare

    for n in (0, 15, 16, 63, 64, 0x7FF, 0x800, 0x3001, 0xFFFF, 0x10000, 0x40000):
        for kind in (COMMIT, TREE, BLOB):
            data = bytes(i % 251 for i in range(n))
            for _ in range(2):  # the second time from the frame cache
                oid, parts, crc = prepare(kind, data)
                entry = b"".join(parts)
                assert entry == pack_entry(kind, data)
                assert crc == zlib.crc32(entry) and oid == object_id(kind, data)
                assert zlib.decompress(entry[entry.index(b"\x78\x01") :]) == data


def test_read_head_gives_the_opening_fields_of_truth_json(tmp_path: Path) -> None:
    """The demo checks an existing sample's seed and scale from the head of its
    truth.json alone (the whole file is over a gigabyte at a million messages)."""
    from corpus.truthjson import read_head

    s = write_sample(tmp_path / "s", seed=4, scale=300, formats=("v2",))
    whole = json.loads(s.truth.read_text())
    head = read_head(s.truth)
    assert (head["seed"], head["scale"]) == (4, 300)
    assert head == {k: whole[k] for k in list(whole)[: len(head)]}
    assert list(whole)[len(head)] == "totals"
    (tmp_path / "other.json").write_text('{"seed": 4}\n')
    with pytest.raises(ValueError, match=r"not a lorelens truth\.json"):
        read_head(tmp_path / "other.json")


def test_a_resend_repeats_the_rfc_tag_of_its_posting(tmp_path: Path) -> None:
    """A RESEND repeats its posting, RFC tag included. One that dropped the tag would
    read, to lorelens as to a reader, as the PATCH version that follows the RFC one
    (superseding it), while truth.json called it a resend (the RFC posting "ignored"):
    20 series at 200,000 messages, 91 at a million. Seed 1 at 6,000 had one."""
    s = write_sample(tmp_path / "s", seed=1, scale=6000, formats=("mbox",))
    series = json.loads(s.truth.read_text())["series"]
    by_key = {x["key"]: x for x in series}
    resends = [x for x in series if x["resend_of"]]
    assert resends
    assert [x["key"] for x in resends if x["is_rfc"] != by_key[x["resend_of"]]["is_rfc"]] == []
    assert any(by_key[x["resend_of"]]["is_rfc"] for x in resends)
