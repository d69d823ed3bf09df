"""The ``lorelens`` command: parse arguments, call ingest/ or analytics/, format output."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

import click

from analytics.render import FORMATS
from core.errors import LorelensError, Terminated, disk_full

DEFAULT_DB = Path("data/lorelens.duckdb")


def _utf8_db(_ctx: click.Context, _param: click.Parameter, value: Path) -> Path:
    """DuckDB opens only UTF-8 file names: say so in one line, not with a C++ error."""
    from core.errors import DatabaseError
    from ingest.sources.paths import is_utf8, to_stored

    if not is_utf8(value.resolve()):
        raise DatabaseError(f"{to_stored(value)}: the database path is not valid UTF-8, "
                            "which DuckDB needs; choose another (--db or LORELENS_DB)")
    return value


db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_utf8_db,
    default=DEFAULT_DB,
    envvar="LORELENS_DB",
    show_default=True,
    show_envvar=True,
    help="The DuckDB database file.",
)


lore_url_option = click.option(
    "--lore-url", default="https://lore.kernel.org", envvar="LORELENS_LORE_URL",
    show_default=True, show_envvar=True,
    help="With --from-lore: the public-inbox server the list names are on.",
)


#: ``ctx.meta`` key of the stop signals a command has received (see `_stop_signals`)
STOPS = "lorelens.stops"
#: the commands that write a database: a stop keeps what they committed, and a rerun resumes
WRITERS = frozenset({"ingest", "enrich", "maintainers", "orgs", "upgrade", "demo"})
#: ``ctx.meta`` key of what to call at once when a stop signal comes (`_stop_signals`)
ON_STOP = "lorelens.on_stop"


@contextmanager
def _stop_signals() -> Iterator[tuple[list[int], list[Callable[[], object]]]]:
    """SIGTERM (``kill``, a service manager, a closing container) stops a command as
    Ctrl-C does, so an ingest rolls back its open batch and records its run as
    interrupted instead of vanishing mid-write; a second SIGTERM ends it at once.

    Yields the stop signals received so far (SIGTERM, and SIGINT unless it is ignored):
    a library may turn the exception raised for one into an error of its own. DuckDB
    does, when the signal comes during a query: "Query interrupted".

    Also yields a list of callables to run as soon as a stop signal comes, from another
    thread: Python runs its handler only once the main thread is back from C, and a
    DuckDB query may not come back for a long time (``lorelens sql`` of a query that
    never ends); a reader's ``con.interrupt`` there ends the query at once."""
    came: list[int] = []
    on_stop: list[Callable[[], object]] = []
    if threading.current_thread() is not threading.main_thread():
        yield came, on_stop  # only the main thread may handle signals
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        came.append(signum)
        if signum != signal.SIGTERM:
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    watched = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        watched.append(signal.SIGINT)
    before = {s: signal.signal(s, stop) for s in watched}
    try:
        with _watching(on_stop):
            yield came, on_stop
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


@contextmanager
def _watching(on_stop: list[Callable[[], object]]) -> Iterator[None]:
    """Run ``on_stop`` from a thread of its own when SIGTERM or SIGINT arrives.

    Python's own signal handler writes the signal's number to a "wakeup" file descriptor
    at once, whatever the main thread is doing (``signal.set_wakeup_fd``); a thread
    waits on the other end of that pipe."""
    wake, woken = os.pipe()
    os.set_blocking(woken, False)
    previous = signal.set_wakeup_fd(woken, warn_on_full_buffer=False)

    def watch() -> None:
        while data := os.read(wake, 64):
            if signal.SIGTERM in data or signal.SIGINT in data:
                for call in list(on_stop):
                    with suppress(Exception):  # the stop itself is what to report
                        call()

    watcher = threading.Thread(target=watch, name="lorelens-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        os.close(woken)  # the watcher reads the pipe's end and returns
        watcher.join(5)
        if not watcher.is_alive():
            os.close(wake)


port_option = click.option(
    "--port", type=click.IntRange(1, 65535), default=8501, show_default=True,
    envvar="LORELENS_PORT", show_envvar=True,
    help="Serve the dashboard on this port of 127.0.0.1.")


class LorelensGroup(click.Group):
    """Turns lorelens' named errors into one line and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _stop_signals() as (stops, on_stop):
                ctx.meta[STOPS] = stops
                ctx.meta[ON_STOP] = on_stop
                try:
                    return super().invoke(ctx)
                except Exception as exc:
                    if stops:  # the stop, as a library (DuckDB) reported it
                        raise (Terminated() if stops[0] == signal.SIGTERM
                               else KeyboardInterrupt()) from exc
                    raise
        except LorelensError as exc:
            click.echo(f"lorelens: error: {exc}", err=True)
            ctx.exit(1)
        except Exception as exc:
            if full := disk_full(exc, None):  # where no command said which database
                click.echo(f"lorelens: error: {full}", err=True)
                ctx.exit(1)
            # DuckDB is imported by the commands that use it, not here: parser worker
            # processes import this module too, and need no database
            duckdb = sys.modules.get("duckdb")
            if duckdb is None or not isinstance(exc, duckdb.Error):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            click.echo(f"lorelens: database error: {first}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt as exc:
            how = "terminated" if isinstance(exc, Terminated) else "interrupted"
            if ctx.invoked_subcommand in WRITERS:
                how += " (what was committed is kept; run again to resume)"
            click.echo(f"lorelens: {how}", err=True)
            ctx.exit(128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT))


@click.group(cls=LorelensGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lorelens")
def main() -> None:
    """lorelens: measure how an email-driven open-source community works.

    Ingest public-inbox archives (lore.kernel.org epochs, local v1/v2 mirrors, mbox,
    maildir) into one DuckDB file, enrich them (threads, series, subsystems, people,
    organisations) and query them.
    """


@main.command()
@click.argument("sources", nargs=-1, required=True)
@db_option
@click.option("--list", "label", help="List address for mails without a List-Id header "
              "(default: derived from the source's name).")
@click.option("--mirrors", type=click.Path(file_okay=False, path_type=Path),
              envvar="LORELENS_MIRRORS", show_envvar=True,
              help="Where remote inboxes are mirrored [default: mirrors/ next to the database].")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), envvar="LORELENS_JOBS",
              help="Parser processes [default: the number of CPUs, at most 4].")
@click.option("--from-lore", "from_lore", is_flag=True,
              help="SOURCES are lists on lore (linux-watchdog, or the URL form "
                   "https://lore.kernel.org/linux-watchdog), mirrored with git.")
@lore_url_option
@click.option("--no-enrich", is_flag=True, help="Only load messages; skip enrichment.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
@click.option("--verbose", "-v", is_flag=True,
              help="Report each step (mirroring, enrichment stages) even when not on a "
                   "terminal [default: only on a terminal].")
def ingest(sources: tuple[str, ...], db: Path, label: str | None, mirrors: Path | None,
           jobs: int | None, from_lore: bool, lore_url: str, no_enrich: bool, quiet: bool,
           verbose: bool) -> None:
    """Ingest SOURCES into the database: public-inbox v1 repositories, v2 inbox folders,
    mirror folders of many inboxes (<list>/git/N.git, <list>.git, as grokmirror or
    public-inbox-clone leave them), http(s) inbox URLs (mirrored with git), mbox files
    (.gz too) or maildirs.

    With --from-lore, SOURCES are lists on lore.kernel.org, each mirrored with git
    (`lorelens ingest --from-lore linux-watchdog linux-hwmon`).

    Idempotent and resumable: a second run reads only what is new, and a run that was
    interrupted continues where its last committed batch ended.
    """
    if from_lore:
        from ingest.sources.remote import lore_url as to_url

        sources = tuple(to_url(s, lore_url) for s in sources)
    if (jobs or os.cpu_count() or 1) > 1 and not db.exists():
        # a first ingest (no database yet) is a whole archive, parsed by processes forked
        # from a fork server: start it first, so its imports (~0.6 s) run on the other
        # core while this process imports DuckDB and plans. Not for a later run, which is
        # mostly a few new mails: the server would cost its imports for nothing
        from ingest.workers import start_server

        start_server()
    from ingest.enrich.stages import enrich_if_changed
    from ingest.pipeline import ingest as run

    chatty = verbose or (not quiet and sys.stderr.isatty())

    def log(msg: str) -> None:
        if chatty:
            click.echo(msg, err=True)

    stops = click.get_current_context().meta.get(STOPS, [])
    summary = run(
        list(sources),
        db,
        mirrors=mirrors or db.parent / "mirrors",
        label=label,
        show_progress=not quiet,
        log=log,
        jobs=jobs,
        after_load=None if no_enrich else lambda store, counts: enrich_if_changed(
            store.con, counts, log),
        stopped=lambda: bool(stops),
    )
    if not quiet:
        click.echo(summary.line())


@main.command()
@db_option
@click.option("--kernel-git", "kernel_git", type=click.Path(file_okay=False, path_type=Path),
              help="A kernel git tree: a series whose patch was committed there (same "
                   "subject and author, or same git patch-id) is applied. Remembered for "
                   "later runs.")
@click.option("--no-kernel-git", is_flag=True, help="Forget the kernel git tree given before.")
@click.option("--full", is_flag=True,
              help="Recompute every enrichment table whole, even when an incremental "
                   "update would do.")
def enrich(db: Path, kernel_git: Path | None, no_kernel_git: bool, full: bool) -> None:
    """Bring the enrichment tables up to date with the stored messages and inputs:
    threads, people, organisations, subsystems, series, versions, review events and
    outcomes.

    After an ingest that only added messages, only what they affect is recomputed (the
    result is the same as a whole recomputation); when messages were deleted, an input
    (MAINTAINERS, domain maps, overrides, mailmap, aliases, kernel tree) or lorelens
    changed, everything is recomputed; when nothing changed, nothing is done. --full
    always recomputes everything. Each run is one transaction and is listed in the
    table enrich_runs."""
    if kernel_git is not None or no_kernel_git:
        from ingest.enrich.inputs import set_kernel_tree
        from ingest.load import Database

        with Database(db) as store:
            loaded = set_kernel_tree(store.con, None if no_kernel_git else kernel_git)
        if loaded:
            click.echo(f"kernel tree: {loaded.origin} ({loaded.detail})")
    _enrich(db, full=full)


def _enrich(db: Path, quiet: bool = False, full: bool = False) -> None:
    from core.snapshot import publish
    from ingest.enrich.stages import enrich
    from ingest.load import Database

    with Database(db) as store:
        enrich(store.con, (lambda _m: None) if quiet else (lambda m: click.echo(m)), full=full)
        publish(store.con, db)  # for readers such as the dashboard (docs/guide.md)


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--from-git", "repo", type=click.Path(file_okay=False, path_type=Path),
              help="Read MAINTAINERS out of this kernel git tree instead of a file.")
@click.option("--rev", default="HEAD", show_default=True, help="Revision for --from-git.")
@click.option("--at", help="With --from-git: the last commit before this date (YYYY-MM-DD).")
def maintainers(path: Path | None, db: Path, repo: Path | None, rev: str, at: str | None) -> None:
    """Load a MAINTAINERS file (PATH, or --from-git KERNEL_REPO [--at DATE|--rev REV]) and
    recompute subsystems, series and review events with it.

    Paths are matched to sections with get_maintainer.pl's rules (docs/subsystems.md).
    Afterwards, `lorelens report list_coverage` shows which lists of the sections in play
    this database holds.
    """
    from ingest.enrich.inputs import read_maintainers, store_maintainers
    from ingest.load import Database

    origin, text, loaded = read_maintainers(path, repo=repo, rev=rev, at=at)  # before any write
    with Database(db) as store:
        store_maintainers(store.con, origin, text)
    click.echo(f"MAINTAINERS: {loaded.detail} from {loaded.origin}")
    _enrich(db)


@main.command()
@db_option
@click.option("--domain-map", "domain_maps", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A gitdm-format domain map (repeatable; earlier files win).")
@click.option("--overrides", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An override file: always wins (docs/organisations.md).")
@click.option("--mailmap", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A git .mailmap joining addresses of one person.")
@click.option("--aliases", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An alias file joining addresses of one person (docs/organisations.md).")
def orgs(db: Path, domain_maps: tuple[Path, ...], overrides: tuple[Path, ...],
         mailmap: tuple[Path, ...], aliases: tuple[Path, ...]) -> None:
    """Set the inputs for people and organisations and recompute them.

    The files given replace the ones stored before (give none of a kind to clear it).
    The built-in lists (company domains, free-mail providers, academic domains) always
    apply. Prints how many messages, patch authors and reviewers have a known kind.
    """
    from analytics.reports import run_report
    from core.database import connect_readonly
    from ingest.enrich.inputs import set_org_inputs
    from ingest.load import Database

    with Database(db) as store:
        for item in set_org_inputs(store.con, domain_maps=domain_maps, overrides=overrides,
                                   mailmaps=mailmap, aliases=aliases):
            click.echo(f"{item.kind}: {item.detail} from {item.origin}")
    _enrich(db)
    with connect_readonly(db) as con:
        for r in run_report(con, "org_coverage").records():
            pct = "n/a" if r["known_pct"] is None else f"{r['known_pct']}%"
            click.echo(f"known kind: {pct} of {r['total']:,} {r['population']}")


@main.command()
@db_option
def upgrade(db: Path) -> None:
    """Upgrade a database written by an earlier lorelens to this one's schema.

    Any command that writes (ingest, enrich, maintainers, orgs) upgrades it too; readers
    (report, sql, status, the dashboard) ask for it (docs/schema.md, "Schema versions").
    """
    from core.database import SCHEMA_VERSION, require_database
    from ingest.load import Database

    require_database(db)
    with Database(db) as store:
        before = store.version_before
    if before == SCHEMA_VERSION:
        click.echo(f"{db} is already at schema {before}")
    elif before is None:
        click.echo(f"{db}: created at schema {SCHEMA_VERSION}")
    else:
        click.echo(f"{db}: schema {before} → {SCHEMA_VERSION}")


@main.command()
@click.argument("name", required=False)
@db_option
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A report parameter (repeatable), e.g. -p since=2024-01-01 -p list=L.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: table, or from the --out file's suffix].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (every row).")
@click.option("--sql", "show_sql", is_flag=True, help="Print the report's SQL instead.")
def report(name: str | None, db: Path, params: tuple[str, ...], fmt: str | None,
           out: Path | None, show_sql: bool) -> None:
    """Print the named report NAME (without NAME: list the reports and their parameters).

    Every report is one SQL file (analytics/reports/NAME.sql) with typed parameters
    ($since, $list, ...); --sql prints it, so the same numbers can be reproduced in
    `lorelens sql` or any DuckDB client. Definitions: docs/metrics.md.
    """
    from analytics.reports import REPORTS, get_report, run_report
    from analytics.reports.params import parse_assignments
    if name is None:
        for r in REPORTS.values():
            click.echo(f"{r.name:<26} {r.title}")
            for p in r.params:
                click.echo(f"    --param {p.describe()}")
        return
    rep = get_report(name)
    given = parse_assignments(params)
    rep.bind(given)  # a wrong parameter is one line before the database is opened
    if show_sql:
        click.echo(rep.sql)
        return
    fmt = _format(fmt, out)
    with _reading(db) as con:
        result = run_report(con, name, given)
    _emit(result, fmt, out)


@main.command("export-report")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write report.md (or .html) and its charts into.")
@db_option
@click.option("--list", "list_", metavar="ADDRESS", help="Only this list.")
@click.option("--subsystem", metavar="SECTION", help="Only this MAINTAINERS section.")
@click.option("--since", metavar="YYYY-MM-DD", help="From this UTC day on.")
@click.option("--until", metavar="YYYY-MM-DD", help="Up to and including this UTC day.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md",
              show_default=True, help="Markdown or a stand-alone HTML page.")
@click.option("--front-matter", is_flag=True,
              help="Start with YAML front matter (title, date) for a static-site blog.")
def export_report(out: Path, db: Path, list_: str | None, subsystem: str | None,
                  since: str | None, until: str | None, fmt: str, front_matter: bool) -> None:
    """Write a report for one scope to OUT/report.md (or .html): the overview,
    contribution shares, organisations, review latency (and where to contribute), as
    tables with the SQL and parameters behind each, charts as PNG and SVG beside it,
    and a provenance block. Definitions: docs/metrics.md."""
    from analytics.writeup import export_report as write

    with _reading(db) as con:
        path = write(con, out, {"list": list_, "subsystem": subsystem, "since": since,
                                "until": until}, fmt=fmt, front_matter=front_matter)
    click.echo(f"wrote {path} and its charts")


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write into (its inbox/, v1/, mbox/, maildir/ are replaced).")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed.")
@click.option("--scale", type=click.IntRange(1), default=2000, show_default=True,
              help="About how many messages.")
@click.option("--formats", default="v2", show_default=True,
              help="Comma-separated: v2, v1, mbox, maildir.")
@click.option("--git-tree", is_flag=True, help="Also write a small kernel-like git tree.")
def sample(out: Path, seed: int, scale: int, formats: str, git_tree: bool) -> None:
    """Write a seeded, realistic sample archive with its planted truths (truth.json),
    a MAINTAINERS file and a domain map (docs/corpus.md). Same seed, same bytes."""
    from corpus.api import write_sample

    s = write_sample(out, seed=seed, scale=scale,
                     formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
                     git_tree=git_tree)
    click.echo(f"wrote {s.messages:,} messages, {s.threads:,} threads, {s.series:,} series "
               f"to {out}")


@main.command()
@db_option
@click.option("--from-lore", "url", metavar="LIST",
              help="Mirror this lore list with git instead of the offline sample, "
                   "e.g. linux-watchdog or https://lore.kernel.org/linux-watchdog (needs "
                   "the network).")
@lore_url_option
@click.option("--maintainers", "maintainers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="With --from-lore: a kernel MAINTAINERS file for subsystems.")
@click.option("--scale", type=click.IntRange(100), default=20000, show_default=True,
              help="Messages in the offline sample.")
@click.option("--no-app", is_flag=True, help="Build the database only; do not serve the "
              "dashboard.")
@port_option
def demo(db: Path, url: str | None, lore_url: str, maintainers_file: Path | None,
         scale: int, no_app: bool, port: int) -> None:
    """The main job: build the offline sample (or mirror an inbox from lore with
    --from-lore LIST), ingest and enrich it into the database, then serve the dashboard
    on http://127.0.0.1:PORT/ until Ctrl-C (--no-app: stop after building, for scripts).
    """
    from core.errors import RemoteError
    from corpus.demo import run_demo
    from ingest.sources.remote import lore_url as to_url

    try:
        stops = click.get_current_context().meta.get(STOPS, [])
        run_demo(db, url=url and to_url(url, lore_url), maintainers=maintainers_file,
                 scale=scale, echo=lambda m: click.echo(m), stopped=lambda: bool(stops))
    except RemoteError as exc:
        raise RemoteError(f"{exc} (offline, `make demo` or `lorelens demo` without "
                          "--from-lore builds the sample instead)") from exc
    if not no_app:
        _serve(db, port)


@main.command()
@db_option
@port_option
def app(db: Path, port: int) -> None:
    """Serve the dashboard for the database on http://127.0.0.1:PORT/ (only on this
    machine) until Ctrl-C. It reads the newest read snapshot, so an ingest can write the
    database meanwhile (docs/guide.md, "The dashboard")."""
    _serve(db, port)


def _serve(db: Path, port: int) -> None:
    from analytics.serve import serve

    status = serve(db, port, echo=lambda m: click.echo(m))
    if status:
        raise click.exceptions.Exit(status)


@main.command()
@click.argument("message_id")
@db_option
@click.option("--copy", "copy_no", type=click.IntRange(1), default=1, show_default=True,
              help="Which stored copy (cross-posted and duplicate mails have several).")
def raw(message_id: str, db: Path, copy_no: int) -> None:
    """Print the raw mail MESSAGE_ID (without angle brackets) as it is archived, read
    back from the git blob, mbox offset or maildir file recorded in message_sources."""
    from analytics.db import QueryError
    from analytics.status import stored_copies
    from ingest.sources.raw import read_raw

    with _reading(db) as con:
        rows = stored_copies(con, message_id)
    if len(rows) < copy_no:
        raise QueryError(f"no copy {copy_no} of <{message_id}> in {db} ({len(rows)} stored)")
    sys.stdout.buffer.write(read_raw(*rows[copy_no - 1]))


@main.command()
@db_option
def status(db: Path) -> None:
    """Show the lists, message counts, date range, series answered, organisation kinds,
    the last ingest run, whether the enrichment tables are up to date, and the caveats
    (the figures of `lorelens report overview`)."""
    from analytics.status import status as get_status

    with _reading(db) as con:
        s = get_status(con)
    o = s.overview
    click.echo(f"database: {db}")
    click.echo(f"messages: {o['messages']:,} ({o['patches']:,} patches, "
               f"{o['cover_letters']:,} cover letters, {o['threads']:,} threads)")
    if o["first_message"] and o["last_message"]:
        click.echo(f"dates:    {o['first_message']:%Y-%m-%d %H:%M} – "
                   f"{o['last_message']:%Y-%m-%d %H:%M} UTC")
    if o["series"]:
        median = ("not reached" if o["km_median_hours"] is None
                  else f"{o['km_median_hours']:,.1f} h")
        click.echo(f"series:   {o['series']:,} ({o['answered_pct']}% answered; median time to "
                   f"first response {median}, Kaplan–Meier)")
    if o["people"]:
        kinds = ", ".join(f"{k} {o[k + '_pct']}%" for k in
                          ("corporate", "individual", "academic", "unknown"))
        click.echo(f"people:   {o['people']:,} ({o['authors']:,} sent patches); "
                   f"patches by kind: {kinds}")
    click.echo(f"errors:   {o['ingest_errors']:,} mails could not be parsed "
               "(see table ingest_errors)")
    click.echo("lists:")
    for row in o["per_list"]:
        click.echo(f"  {row['list']:<45} {row['messages']:>9,}  "
                   f"{row['first']:%Y-%m-%d} – {row['last']:%Y-%m-%d}")
    if s.last_run:
        r = s.last_run
        click.echo(
            f"last run: #{r['run_id']} {r['status']} at {r['started_at']:%Y-%m-%d %H:%M} UTC: "
            f"{r['n_read']:,} read, {r['n_new']:,} new, {r['n_cross_posted']:,} cross-posted, "
            f"{r['n_duplicate']:,} duplicate, "
            f"{r['n_failed']:,} failed in {r['seconds'] or 0:.1f}s"
        )
    if s.last_enrichment:
        e = s.last_enrichment
        behind = o["not_enriched"]
        state = ("computed by another lorelens: run `lorelens enrich`" if not e["current"]
                 else f"{behind:,} messages ingested since: run `lorelens enrich`" if behind
                 else "up to date")
        click.echo(f"enriched: #{e['enrich_id']} {e['mode']} at {e['finished_at']:%Y-%m-%d %H:%M} "
                   f"UTC ({e['reason']}) in {e['seconds']:.1f}s; {state}")
    else:
        click.echo("enriched: never: run `lorelens enrich`")
    if o["caveats"]:
        click.echo("caveats:")
        for c in o["caveats"]:
            click.echo(f"  - {c}")
    click.echo("(these figures: `lorelens report overview`; definitions: docs/metrics.md)")


@main.command("export-tables")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write (replaced if it holds an earlier export; refused if it "
                   "holds anything else).")
@db_option
def export_tables(out: Path, db: Path) -> None:
    """Export every table of the database as Parquet under --out, for Spark, Trino or
    DuckDB itself: one folder per table, messages, series, posts and review_tags split
    by UTC year (year=2024/), and manifest.json (tables, files, rows, schema and lorelens
    versions). Written to a temporary folder and renamed when complete (docs/scale.md).
    """
    from analytics.export import export_tables as run

    with _reading(db, files=True) as con:
        result = run(con, out)
    for t in result.tables:
        click.echo(f"{t.table:<20} {t.rows:>10,} rows  {len(t.files):>3} files")
    click.echo(f"exported {len(result.tables)} tables to {result.out}")


def _positive_seconds(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    from analytics.db import QueryError, check_timeout

    try:
        return check_timeout(value)
    except QueryError as exc:
        raise click.BadParameter(str(exc)) from exc


TABLE_ROWS = 10_000  # --format table draws at most this many rows (csv and json: all)


@main.command()
@click.argument("query")
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: table, or from the --out file's suffix].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (every row).")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              callback=_positive_seconds,
              help="Stop after this many seconds: the query and writing its rows.")
def sql(query: str, db: Path, fmt: str | None, out: Path | None, timeout: float) -> None:
    """Run a read-only SQL QUERY against the database and print the rows.

    The database is opened read-only, without access to other files, and the command is
    stopped after --timeout seconds (running the query and writing its rows, which are
    streamed). --format table draws at most 10,000 rows and says so; the other formats
    write every row. Tables are documented in docs/schema.md.
    """
    from analytics.db import stream_query
    from analytics.stream import write_stream

    fmt = _format(fmt, out)
    if out is None and fmt == "parquet" and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: write it to a file with --out FILE.pq")
    width = os.get_terminal_size().columns if out is None and sys.stdout.isatty() else None
    with _reading(db) as con, stream_query(con, query, timeout=timeout) as stream:
        if out is None:
            n, more = write_stream(stream, fmt, sys.stdout.buffer, width=width,
                                   table_rows=TABLE_ROWS)
            sys.stdout.flush()
        else:
            n, more = _write_file(stream, fmt, out)
    if more:
        click.echo(f"(only the first {TABLE_ROWS:,} rows are shown: --format csv, json, md "
                   "or parquet writes them all)")
    if out is not None:
        click.echo(f"wrote {n:,} rows to {out}", err=True)


def _write_file(stream: Any, fmt: str, out: Path) -> tuple[int, bool]:
    """Stream into ``out``; a run that fails or is stopped leaves no half-written file."""
    from analytics.stream import write_stream

    try:
        with out.open("wb") as f:
            return write_stream(stream, fmt, f, table_rows=TABLE_ROWS)
    except OSError as exc:
        out.unlink(missing_ok=True)
        raise click.FileError(str(out), hint=exc.strerror or str(exc)) from None
    except BaseException:
        out.unlink(missing_ok=True)
        raise


@contextmanager
def _reading(db: Path, *, files: bool = False) -> Iterator[Any]:
    """A read-only connection to ``db``, or, while a writer holds it, to its newest read
    snapshot, which is said on standard error (docs/guide.md, "Reading while an ingest
    writes")."""
    from core.snapshot import open_for_reading

    con, snap = open_for_reading(db, files=files)
    if snap is not None:
        click.echo(f"{db} is being written by another process: reading its snapshot of "
                   f"{snap.data_time:%Y-%m-%d %H:%M:%S} UTC", err=True)
    # a stop signal interrupts the query running now, not only after it (_stop_signals)
    on_stop = click.get_current_context().meta.get(ON_STOP, [])
    interrupt = con.interrupt  # one object: DuckDB's bound methods do not compare equal
    on_stop.append(interrupt)
    try:
        with con:
            yield con
    finally:
        on_stop.remove(interrupt)


def _format(fmt: str | None, out: Path | None) -> str:
    """The output format: as given, else from --out's suffix, else a table."""
    if fmt:
        return fmt
    if out is not None:
        suffix = out.suffix.lower().lstrip(".")
        return {"markdown": "md", "txt": "table"}.get(suffix, suffix) \
            if suffix in (*FORMATS, "markdown", "txt") else "table"
    return "table"


def _emit(result: Any, fmt: str, out: Path | None) -> None:
    """Write every row of ``result`` in ``fmt`` to ``out`` or standard output."""
    from analytics.render import render

    if out is None and fmt == "parquet" and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: write it to a file with --out FILE.pq")
    width = os.get_terminal_size().columns if out is None and sys.stdout.isatty() else None
    data = render(result, fmt, width=width)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise click.FileError(str(out), hint=exc.strerror or str(exc)) from None
    click.echo(f"wrote {len(result.rows):,} rows to {out}", err=True)


if __name__ == "__main__":
    main()
