"""Compare `SectionMatcher.primary` with the kernel's own get_maintainer.pl.

    .venv/bin/python bench/get_maintainer_compare.py [--archive GIT_DIR ...] [--paths 500]

Steps (nothing of the kernel is kept in the project; it is downloaded into a work dir):

1. ``apt-get download linux-source-6.12=6.12.117-1~deb12u1`` (about 150 MB), then
   ``dpkg-deb -x`` and extract only ``scripts/get_maintainer.pl`` and ``MAINTAINERS``.
2. Take the ``diff --git a/X b/X`` paths of a seeded sample of messages of public-inbox
   archives (``git cat-file --batch`` over ``COMMIT:m``), up to ``--paths`` distinct ones.
3. Create an empty placeholder file for each path (``-f`` needs it to exist).
4. For each path run ``perl scripts/get_maintainer.pl --no-git --no-tree --sections -f
   PATH`` and compare its sections (THE REST dropped unless alone, as `primary` does) with
   ``SectionMatcher.primary(PATH)``, built with the directories of that same tree, since
   get_maintainer.pl asks the file system whether a plain ``F:`` pattern is a directory.
   get_maintainer.pl lists tied sections in Perl hash order (random), so sections are
   compared as sets; the order is checked separately: the script's list must never go up
   in our specificity.

Prints the agreement rate and every disagreement; exit status 1 if there is any.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.enrich.maintainers import Section, load_maintainers
from ingest.enrich.subsystems import THE_REST, SectionMatcher

PACKAGE = "linux-source-6.12=6.12.117-1~deb12u1"
MEMBER_ROOT = "linux-source-6.12"
SHARED_ARCHIVES = Path(os.environ.get(
    "LORELENS_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data" / "archives"
DIFF_LINE = re.compile(rb"^diff --git a/(\S+) b/(\S+)\s*$", re.MULTILINE)


def fetch_kernel(work: Path) -> Path:
    """Download the Debian package and extract get_maintainer.pl and MAINTAINERS."""
    tree = work / MEMBER_ROOT
    if (tree / "scripts/get_maintainer.pl").exists() and (tree / "MAINTAINERS").exists():
        return tree
    debs = list(work.glob("linux-source-6.12_*.deb"))
    if not debs:
        print(f"downloading {PACKAGE} …", file=sys.stderr)
        subprocess.run(["apt-get", "download", PACKAGE], cwd=work, check=True)
        debs = list(work.glob("linux-source-6.12_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(work / "x")], check=True)
    tarball = work / "x/usr/src/linux-source-6.12.tar.xz"
    listing = subprocess.run(["tar", "-tJf", str(tarball)], capture_output=True, text=True,
                             check=True).stdout
    (work / "tree-files.txt").write_text(
        "".join(n.removeprefix(MEMBER_ROOT + "/") + "\n" for n in listing.splitlines()
                if not n.endswith("/"))
    )
    subprocess.run(
        ["tar", "-xJf", str(tarball), "-C", str(work),
         f"{MEMBER_ROOT}/scripts/get_maintainer.pl", f"{MEMBER_ROOT}/MAINTAINERS"],
        check=True,
    )
    shutil.rmtree(work / "x")
    return tree


def sample_paths(archives: list[Path], n_paths: int, per_archive: int, seed: int) -> list[str]:
    """Distinct diff paths from a seeded sample of messages of each archive."""
    rng = random.Random(seed)
    git = ["git", "-c", "safe.directory=*"]
    per: list[list[str]] = []
    for archive in archives:
        commits = subprocess.run(
            [*git, f"--git-dir={archive}", "rev-list", "HEAD"],
            capture_output=True, check=True, text=True,
        ).stdout.split()
        chosen = rng.sample(commits, min(per_archive, len(commits)))
        batch = subprocess.run(
            [*git, f"--git-dir={archive}", "cat-file", "--batch"],
            input="".join(f"{c}:m\n" for c in chosen).encode(),
            capture_output=True, check=True,
        ).stdout
        found: list[str] = []
        pos = 0
        while pos < len(batch):
            eol = batch.index(b"\n", pos)
            header = batch[pos:eol].split()
            pos = eol + 1
            if len(header) != 3:  # "<name> missing"
                continue
            size = int(header[2])
            body = batch[pos:pos + size]
            pos += size + 1
            for m in DIFF_LINE.finditer(body):
                for raw in m.groups():
                    path = raw.decode("utf-8", "replace")
                    if path not in found:
                        found.append(path)
        per.append(found)
    # interleave the archives so that each is represented
    paths: dict[str, None] = {}
    for group in itertools.zip_longest(*per):
        for path in group:
            if path is not None and safe(path):
                paths.setdefault(path)
    return list(paths)[:n_paths]


def tricky_tree_paths(work: Path, maintainers: Path, n_paths: int, seed: int) -> list[str]:
    """A seeded sample of the kernel tree's files whose matching involves the rarer rules:
    an N: regex, an X: exclude, a wildcard F: glob or a plain F: that names a directory."""
    files = (work / "tree-files.txt").read_text().split()
    sections = load_maintainers(maintainers)
    matcher = SectionMatcher(sections)
    # the X: patterns, as F: patterns of stand-in sections
    excludes = SectionMatcher(
        Section(name=s.name, fields=tuple(("F", x) for x in s.excludes))
        for s in sections if s.excludes
    )
    tricky = []
    for path in files:
        found = matcher.match(path)
        if excludes.match(path) or any(
            m.kind == "N" or any(c in m.pattern for c in "*?[")
            or (m.section_name != THE_REST and path.startswith(m.pattern + "/"))
            for m in found
        ):
            tricky.append(path)
    return random.Random(seed).sample(tricky, min(n_paths, len(tricky)))


def safe(path: str) -> bool:
    parts = path.split("/")
    return not path.startswith("/") and not {"..", "", ".git"} & set(parts)


def make_placeholders(tree: Path, paths: list[str]) -> list[str]:
    """Create empty files for ``paths``; return the paths that exist as files afterwards
    (one that would need to be both a file and a directory is dropped)."""
    kept = []
    for path in paths:
        target = tree / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.touch()
        except (FileExistsError, NotADirectoryError):
            continue
        if target.is_file():
            kept.append(path)
    return kept


def tree_directories(tree: Path) -> set[str]:
    dirs = set()
    for root, subdirs, _files in os.walk(tree):
        for d in subdirs:
            dirs.add(str((Path(root) / d).relative_to(tree)))
    return dirs


def oracle(tree: Path, path: str) -> list[str]:
    """Section names get_maintainer.pl prints for ``path``, in its order."""
    out = subprocess.run(
        ["perl", "scripts/get_maintainer.pl", "--no-git", "--no-tree", "--sections", "-f", path],
        cwd=tree, capture_output=True, text=True, check=True,
    ).stdout
    names = []
    for block in out.strip("\n").split("\n\n"):
        if block.strip():
            names.append(block.splitlines()[0].strip())
    return names


def speed(maintainers: Path, tree_files: Path) -> tuple[float, float, int]:
    """Build time of a SectionMatcher and primary() throughput on distinct paths."""
    files = tree_files.read_text().split()
    started = time.perf_counter()
    matcher = SectionMatcher.from_file(maintainers)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    for path in files:
        matcher.primary(path)
    return build_s, len(files) / (time.perf_counter() - started), len(files)


def drop_rest(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    rest = tuple(n for n in names if n != THE_REST)
    return rest or tuple(names)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", action="append", type=Path,
                    help="public-inbox v1 git dir (repeatable); default: the shared archives")
    ap.add_argument("--workdir", type=Path, help="keep the download here (default: a temp dir)")
    ap.add_argument("--paths", type=int, default=500, help="distinct paths to compare")
    ap.add_argument("--messages", type=int, default=1500, help="messages sampled per archive")
    ap.add_argument("--tree-paths", type=int, default=500,
                    help="also compare this many kernel-tree files that exercise N:, X:, "
                         "wildcards and plain directory patterns (0: none)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--jobs", type=int, default=1, help="parallel get_maintainer.pl runs")
    args = ap.parse_args()

    archives = args.archive or sorted(SHARED_ARCHIVES.glob("*.git"))
    if not archives:
        ap.error("no archive given and none found in " + str(SHARED_ARCHIVES))
    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="get_maintainer_")
        work = Path(tmp.name)
    else:
        work = args.workdir
        work.mkdir(parents=True, exist_ok=True)
    try:
        tree = fetch_kernel(work)
        archive_paths = sample_paths(archives, args.paths, args.messages, args.seed)
        tree_paths = tricky_tree_paths(work, tree / "MAINTAINERS", args.tree_paths, args.seed)
        paths = make_placeholders(tree, list(dict.fromkeys(archive_paths + tree_paths)))
        matcher = SectionMatcher.from_file(tree / "MAINTAINERS", tree_directories(tree))
        print(f"archives: {', '.join(a.name for a in archives)}")
        extra = len(paths) - len(archive_paths)  # a tree path may also be an archive path
        print(f"paths compared: {len(paths)} ({len(archive_paths)} from the archives' diffs, "
              f"{extra} more from the kernel tree)")

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            theirs = list(pool.map(lambda p: oracle(tree, p), paths))
        oracle_s = time.perf_counter() - started

        agree = order_ok = 0
        from_archives = set(archive_paths)
        agree_archives = 0
        disagreements = []
        for path, names in zip(paths, theirs, strict=True):
            ours = matcher.primary(path)
            if set(ours) == set(drop_rest(names)):
                agree += 1
                agree_archives += path in from_archives
            else:
                disagreements.append((path, drop_rest(names), ours))
            depth = {m.section_name: m.specificity for m in matcher.match(path)}
            seq = [depth.get(n, -99) for n in names]
            if all(a >= b for a, b in itertools.pairwise(seq)):
                order_ok += 1
            else:
                disagreements.append((path, tuple(names), (f"order by specificity: {seq}",)))
        total = len(paths)
        build_s, rate, n_files = speed(tree / "MAINTAINERS", work / "tree-files.txt")
        print(f"primary sections agree: {agree}/{total} = {100 * agree / max(total, 1):.2f}%")
        n_arch = len(from_archives & set(paths))
        print(f"  of which archive diff paths: {agree_archives}/{n_arch}, "
              f"kernel-tree paths: {agree - agree_archives}/{total - n_arch}")
        print(f"order consistent with specificity: {order_ok}/{total}")
        print(f"get_maintainer.pl time: {oracle_s:.1f} s ({args.jobs} job(s))")
        print(f"SectionMatcher: build {build_s * 1000:.0f} ms (parse + index); primary() "
              f"{rate:,.0f} paths/s over the {n_files:,} files of the kernel tree, each once")
        for path, theirs_, ours in disagreements:
            print(f"DIFF {path}")
            print(f"  get_maintainer.pl: {list(theirs_)}")
            print(f"  lorelens:          {list(ours)}")
        return 1 if disagreements else 0
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
