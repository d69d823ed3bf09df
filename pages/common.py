"""What every dashboard page shares: the database (its newest read snapshot), the global
filters kept in the URL's query parameters, report tables with their downloads, and
labelled charts. Every number comes from a named report (analytics/reports/)."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import altair as alt
import duckdb
import pyarrow as pa
import streamlit as st

import analytics.status
from analytics.db import Result
from analytics.render import render
from analytics.reports import REPORTS, get_report, run_report
from core.database import connect_readonly
from core.errors import DatabaseError, LorelensError
from core.snapshot import Snapshot, current

DEFAULT_DB = Path("data/lorelens.duckdb")
FILTERS = ("list", "subsystem", "since", "until", "org_kind")
ORG_KINDS = ("corporate", "individual", "academic", "unknown")
ALL = "(all)"
CTX = "_lorelens_ctx"


@dataclass
class Context:
    db: Path
    con: duckdb.DuckDBPyConnection
    snapshot: Snapshot
    lists: list[str] = field(default_factory=list)
    subsystems: list[str] = field(default_factory=list)
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    filters: dict[str, str] = field(default_factory=dict)


def db_path() -> Path:
    """The database, as for the CLI: ``LORELENS_DB``, else data/lorelens.duckdb."""
    return Path(os.environ.get("LORELENS_DB") or DEFAULT_DB)


def start() -> Context:
    """Open the database's newest snapshot and draw the global filters; on a missing or
    empty database, a page that says what to run (and nothing else)."""
    db = db_path()
    try:
        snap = current(db)
        con = _connection(db, snap)
    except LorelensError as exc:
        _no_database(db, str(exc))
        st.stop()
    # a cursor of its own for this run of the script: Streamlit starts a rerun (a widget
    # changed) while the previous run may still be inside a query, and one DuckDB
    # connection refuses a second call meanwhile ("connection is busy"). A cursor shares
    # the database and its locked-down settings
    ctx = Context(db, con.cursor(), snap)
    values = report_rows(ctx, "scope_values")
    ctx.lists = [r["value"] for r in values if r["kind"] == "list"]
    ctx.subsystems = [r["value"] for r in values if r["kind"] == "subsystem"]
    days = {r["kind"]: r["value"] for r in values if r["kind"].endswith("_day") and r["value"]}
    ctx.first_day = dt.date.fromisoformat(days["first_day"]) if "first_day" in days else None
    ctx.last_day = dt.date.fromisoformat(days["last_day"]) if "last_day" in days else None
    if not ctx.lists:
        _empty_database(db)
        st.stop()
    ctx.filters = _sidebar(ctx)
    st.session_state[CTX] = ctx
    return ctx


def standalone(page: Callable[[], None]) -> None:
    """Run one page on its own: the page config, the filters, then the page."""
    st.set_page_config(page_title="lorelens", layout="wide")
    start()
    page()


def ctx() -> Context:
    """The context that :func:`start` made for this run of the app."""
    return st.session_state[CTX]


def _connection(db: Path, snap: Snapshot) -> duckdb.DuckDBPyConnection:
    """One locked-down read-only connection per browser session and snapshot; a newer
    snapshot gets a new connection (the old one is closed)."""
    held = st.session_state.get("_lorelens_con")
    if held and held[0] == snap.path:
        return held[1]
    try:
        con = connect_readonly(snap.path)
    except DatabaseError:
        if snap.path.exists():
            raise
        snap = current(db)  # pruned by a writer since we looked: take the newer one
        con = connect_readonly(snap.path)
    if held:
        held[1].close()
    st.session_state["_lorelens_con"] = (snap.path, con)
    return con


# -- pages for a database that is not there yet ---------------------------------------------
def _no_database(db: Path, why: str) -> None:
    st.title("lorelens")
    st.error(why)
    st.markdown(f"""
There is no data to show yet. Build the offline sample (about 20,000 messages of two
lists) and serve it:

```sh
make demo                 # or: lorelens demo --db {db}
```

or bring in a real list and open it here:

```sh
lorelens ingest https://lore.kernel.org/linux-watchdog --db {db}
lorelens maintainers path/to/MAINTAINERS --db {db}
lorelens app --db {db}
```

Then reload this page. (docs/guide.md explains every step.)
""")


def _empty_database(db: Path) -> None:
    st.title("lorelens")
    st.warning(f"{db} holds no mail yet.")
    st.markdown(f"""
Ingest a list into it, then reload this page:

```sh
lorelens ingest https://lore.kernel.org/linux-watchdog --db {db}
lorelens ingest path/to/archive.mbox --db {db}      # or a public-inbox repository, a maildir
```
""")


def need_maintainers(c: Context) -> bool:
    """Say what to run when the database has no MAINTAINERS (no subsystem figures)."""
    if c.subsystems:
        return False
    st.info("This database has no MAINTAINERS file, so there are no subsystems or "
            f"maintainers to show. Load one: `lorelens maintainers path/to/MAINTAINERS "
            f"--db {c.db}` (or `--from-git KERNEL_TREE`), then reload.")
    return True


# -- global filters in the URL ---------------------------------------------------------------
def _sidebar(c: Context) -> dict[str, str]:
    """The global filters, read from and written back to the URL's query parameters, so
    a view can be shared and reopened (docs/guide.md, "The dashboard")."""
    qp = st.query_params
    bar = st.sidebar
    bar.markdown("**Filters** (apply to every page)")
    options = {"list": [ALL, *c.lists], "subsystem": [ALL, *c.subsystems],
               "org_kind": [ALL, *ORG_KINDS]}
    labels = {"list": "List", "subsystem": "Subsystem (MAINTAINERS section)",
              "org_kind": "Author's organisation kind"}
    for name in ("list", "subsystem", "org_kind"):
        key = f"f_{name}"
        if key not in st.session_state:
            wanted = qp.get(name)
            if wanted and wanted not in options[name]:
                bar.warning(f"{name}={wanted!r} from the address is not in this database")
                wanted = None
            st.session_state[key] = wanted or ALL
        bar.selectbox(labels[name], options[name], key=key)
    for name, label in (("since", "From (UTC day)"), ("until", "Up to and including")):
        key = f"f_{name}"
        if key not in st.session_state:
            st.session_state[key] = _day(qp.get(name), bar, name)
        bar.date_input(label, key=key, min_value=c.first_day, max_value=c.last_day,
                       format="YYYY-MM-DD")
    filters: dict[str, str] = {}
    for name in FILTERS:
        value = st.session_state.get(f"f_{name}")
        if isinstance(value, dt.date):
            value = value.isoformat()
        if value and value != ALL:
            filters[name] = str(value)
    for name in FILTERS:  # the URL says what the page shows
        if name in filters:
            if qp.get(name) != filters[name]:
                qp[name] = filters[name]
        elif name in qp:
            del qp[name]
    age = dt.datetime.now(dt.UTC) - c.snapshot.data_time
    bar.caption(f"Data as of {c.snapshot.data_time:%Y-%m-%d %H:%M} UTC "
                f"({_ago(age)}), from `{c.db}`.")
    if c.snapshot.writing:
        bar.info("An ingest or enrichment is writing the database now: this is the last "
                 "complete data. New data appears here when that run has finished.")
    return filters


def _day(text: str | None, bar: Any, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        bar.warning(f"{name}={text!r} from the address is not a day (YYYY-MM-DD)")
        return None


def _ago(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"


def scope_text(c: Context) -> str:
    """The filters in words, for captions."""
    f = c.filters
    parts = [f"list {f['list']}" if "list" in f else "all lists",
             f"subsystem {f['subsystem']}" if "subsystem" in f else "all subsystems"]
    if "since" in f or "until" in f:
        parts.append(f"{f.get('since', 'start')} to {f.get('until', 'end')}")
    if "org_kind" in f:
        parts.append(f"{f['org_kind']} authors")
    return ", ".join(parts)


# -- reports, tables, charts -----------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=1000)
def _run(_con: duckdb.DuckDBPyConnection, snapshot: str, name: str,
         params: tuple[tuple[str, str], ...]) -> Result:
    return run_report(_con, name, dict(params))


def report(c: Context, name: str, **extra: Any) -> Result:
    """Report ``name`` for the global filters that it takes, plus ``extra`` parameters
    (cached per snapshot); an error is shown on the page, which stops there."""
    rep = get_report(name)
    accepted = {p.name for p in rep.params}
    given = {k: v for k, v in c.filters.items() if k in accepted}
    given.update({k: str(v) for k, v in extra.items() if v is not None and v != ""})
    try:
        return _run(c.con, str(c.snapshot.path), name, tuple(sorted(given.items())))
    except LorelensError as exc:
        st.error(str(exc))
        st.stop()


def report_rows(c: Context, name: str, **extra: Any) -> list[dict[str, Any]]:
    return report(c, name, **extra).records()


def stale_enrichment(c: Context) -> str | None:
    """The caveat of enrichment tables computed by another lorelens (as `lorelens status`
    says it), else None."""
    return analytics.status.stale_enrichment(c.con)


def has_report(name: str) -> bool:
    return name in REPORTS


def arrow(result: Result) -> pa.Table:
    return pa.table({col: [r[i] for r in result.rows] for i, col in enumerate(result.columns)})


def table(result: Result, key: str, *, report_name: str | None = None,
          column_config: dict[str, Any] | None = None, **kw: Any) -> Any:
    """A report's rows as a table, with each column's description as its help, and
    CSV / Parquet downloads of exactly those rows."""
    config: dict[str, Any] = {}
    if report_name:
        for col in get_report(report_name).columns:
            if col.name in result.columns:
                config[col.name] = st.column_config.Column(help=col.description)
    config.update(column_config or {})
    shown = st.dataframe(arrow(result), hide_index=True, column_config=config, key=key, **kw)
    downloads(result, key)
    return shown


def downloads(result: Result, key: str) -> None:
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("CSV", render(result, "csv"), f"{key}.csv", "text/csv",
                         on_click="ignore", key=f"{key}-csv", icon=":material/download:")
    right.download_button("Parquet", render(result, "parquet"), f"{key}.parquet",
                          "application/vnd.apache.parquet", on_click="ignore", key=f"{key}-parquet",
                          icon=":material/download:")


def chart(spec: alt.Chart | alt.LayerChart, data: Result, key: str, *, counts: str,
          n: int) -> None:
    """An Altair chart titled with what it counts and its n, with PNG / SVG downloads
    (rendered on demand) and its data as CSV."""
    # wrapped at 70 characters, "(n = 1,234)" kept on one line
    title = textwrap.wrap(f"{counts} (n\N{NO-BREAK SPACE}=\N{NO-BREAK SPACE}{n:,})", 70)
    titled = spec.properties(title=alt.TitleParams(title, anchor="start"))
    st.altair_chart(titled, key=key)

    def image(kind: str) -> bytes | str:
        import vl_convert as vlc  # renders without a browser

        spec_dict = titled.to_dict()
        if kind == "png":
            return vlc.vegalite_to_png(spec_dict, scale=2)
        return vlc.vegalite_to_svg(spec_dict)

    a, b, d, _ = st.columns([1, 1, 1.4, 3])
    a.download_button("PNG", lambda: image("png"), f"{key}.png", "image/png",
                      on_click="ignore", key=f"{key}-png", icon=":material/image:")
    b.download_button("SVG", lambda: image("svg"), f"{key}.svg", "image/svg+xml",
                      on_click="ignore", key=f"{key}-svg", icon=":material/image:")
    d.download_button("Data (CSV)", render(data, "csv"), f"{key}.csv", "text/csv",
                      on_click="ignore", key=f"{key}-data", icon=":material/download:")


def lore_url(list_address: str | None, message_id: str) -> str | None:
    """The message's permalink on lore.kernel.org, from the list's name."""
    if not list_address:
        return None
    name = list_address.split("@", 1)[0]
    return f"https://lore.kernel.org/{name}/{quote(message_id, safe='@!$&*+,;=:~._-')}/"


def definition(name: str) -> None:
    """What a report's numbers mean, and how to reproduce them."""
    rep = get_report(name)
    with st.expander(f"What this counts: {rep.title}"):
        st.write(rep.definition)
        st.caption(f"The same rows: `lorelens report {name}` (with the filters as "
                   "`-p KEY=VALUE`); its SQL: `lorelens report {name} --sql`.")
