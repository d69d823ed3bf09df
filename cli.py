"""The ``lorelens`` command: parse arguments, call ingest/ or analytics/, format output."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from ingest.errors import LorelensError

DEFAULT_DB = Path("data/lorelens.duckdb")

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    envvar="LORELENS_DB",
    show_default=True,
    show_envvar=True,
    help="The DuckDB database file.",
)


class LorelensGroup(click.Group):
    """Turns lorelens' named errors into one line and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LorelensError as exc:
            click.echo(f"lorelens: error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("lorelens: interrupted (what was committed is kept; run again to "
                       "resume)", err=True)
            ctx.exit(130)


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
              help="Parser processes [default: the number of CPUs].")
@click.option("--no-enrich", is_flag=True, help="Only load messages; skip enrichment.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
def ingest(sources: tuple[str, ...], db: Path, label: str | None, mirrors: Path | None,
           jobs: int | None, no_enrich: bool, quiet: bool) -> None:
    """Ingest SOURCES into the database: public-inbox v1 repositories, v2 inbox folders,
    http(s) inbox URLs (mirrored with git), mbox files (.gz too) or maildirs.

    Idempotent and resumable: a second run reads only what is new, and a run that was
    interrupted continues where its last committed batch ended.
    """
    from ingest.enrich.stages import run_stages
    from ingest.pipeline import ingest as run

    def log(msg: str) -> None:
        if not quiet:
            click.echo(msg, err=True)

    summary = run(
        list(sources),
        db,
        mirrors=mirrors or db.parent / "mirrors",
        label=label,
        show_progress=not quiet,
        log=log,
        jobs=jobs,
        after_load=None if no_enrich else lambda store, _run: run_stages(store.con, log),
    )
    if not quiet:
        click.echo(summary.line())


@main.command()
@db_option
def enrich(db: Path) -> None:
    """Recompute the enrichment tables (threads, …) from the stored messages."""
    from ingest.enrich.stages import run_stages
    from ingest.load import Store

    store = Store(db)
    try:
        run_stages(store.con, lambda m: click.echo(m))
    finally:
        store.close()


@main.command()
@db_option
def status(db: Path) -> None:
    """Show the lists, message counts, date range and the last ingest run."""
    from analytics.db import connect_readonly
    from analytics.status import status as get_status

    con = connect_readonly(db)
    try:
        s = get_status(con)
    finally:
        con.close()
    click.echo(f"database: {db}")
    click.echo(f"messages: {s.messages:,} ({s.patches:,} patches, {s.covers:,} cover letters, "
               f"{s.threads:,} threads)")
    if s.first and s.last:
        click.echo(f"dates:    {s.first:%Y-%m-%d %H:%M} – {s.last:%Y-%m-%d %H:%M} UTC")
    click.echo(f"errors:   {s.errors:,} mails could not be parsed (see table ingest_errors)")
    click.echo("lists:")
    for name, n, first, last in s.lists:
        click.echo(f"  {name:<45} {n:>9,}  {first:%Y-%m-%d} – {last:%Y-%m-%d}")
    if s.last_run:
        r = s.last_run
        click.echo(
            f"last run: #{r['run_id']} {r['status']} at {r['started_at']:%Y-%m-%d %H:%M} UTC: "
            f"{r['n_read']:,} read, {r['n_new']:,} new, {r['n_duplicate']:,} duplicate, "
            f"{r['n_failed']:,} failed in {r['seconds'] or 0:.1f}s"
        )


@main.command()
@click.argument("query")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Stop the query after this many seconds.")
def sql(query: str, db: Path, fmt: str, timeout: float) -> None:
    """Run a read-only SQL QUERY against the database and print the rows.

    The database is opened read-only, without access to other files, and the query is
    stopped after --timeout seconds. Tables are documented in docs/schema.md.
    """
    from analytics.db import connect_readonly, run_query

    con = connect_readonly(db)
    try:
        result = run_query(con, query, timeout=timeout)
    finally:
        con.close()
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(result.columns)
        for row in result.rows:
            w.writerow([_text(v) for v in row])
    elif fmt == "json":
        click.echo(json.dumps(result.records(), default=_json_default, indent=2,
                              ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*result.columns, show_lines=False)
        for row in result.rows:
            table.add_row(*[_text(v) for v in row])
        Console().print(table)
        click.echo(f"({len(result.rows):,} rows)")


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return json.dumps(v, default=_json_default, ensure_ascii=False)
    return str(v)


def _json_default(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


if __name__ == "__main__":
    main()
