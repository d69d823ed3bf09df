"""``lorelens export-report``: a Markdown or HTML write-up of one scope, for blog posts
and course reflections (docs/guide.md, "Export a report").

Every table is a named report's rows, rendered by analytics/render.py, and is followed by
the exact SQL and parameters that made it; charts (analytics/charts.py) are written as
PNG and SVG beside the document. A provenance block says what the numbers come from.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from analytics import charts
from analytics.db import Result
from analytics.render import text, to_markdown
from analytics.reports import REPORTS, get_report, run_report
from analytics.status import stale_enrichment, status
from core.errors import LorelensError

SCOPE_KEYS = ("list", "subsystem", "since", "until")
FORMATS = ("md", "html")
DEFINITIONS = "docs/metrics.md"
COUNTED = "patches"  # what the contribution sections count (`by`)


class ExportError(LorelensError):
    """The write-up could not be written (folder not writable, disk full, ...)."""


@dataclass
class Doc:
    """The document as parallel Markdown and HTML fragments."""

    md: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)

    def heading(self, level: int, title: str) -> None:
        self.md.append(f"{'#' * level} {title}\n")
        self.html.append(f"<h{level}>{html.escape(title)}</h{level}>")

    def para(self, words: str) -> None:
        self.md.append(words + "\n")
        self.html.append(f"<p>{html.escape(words)}</p>")

    def table(self, result: Result) -> None:
        self.md.append(to_markdown(result))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in result.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(text(v))}</td>" for v in row)
                       + "</tr>" for row in result.rows)
        self.html.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def bullets(self, items: list[str]) -> None:
        self.md.append("".join(f"- {item}\n" for item in items))
        self.html.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items)
                         + "</ul>")

    def code(self, source: str, lang: str = "") -> None:
        self.md.append(f"```{lang}\n{source.rstrip()}\n```\n")
        self.html.append(f"<pre><code>{html.escape(source.rstrip())}</code></pre>")

    def image(self, stem: str, caption: str) -> None:
        self.md.append(f"![{caption}]({stem}.png)\n\n(vector: [{stem}.svg]({stem}.svg))\n")
        self.html.append(f'<figure><img src="{stem}.svg" alt="{html.escape(caption)}">'
                         f'<figcaption>{html.escape(caption)} '
                         f'(<a href="{stem}.png">PNG</a>)</figcaption></figure>')


@dataclass(frozen=True)
class Section:
    report: str
    extra: Mapping[str, str]
    chart: Callable[[Result], Any] | None = None


def sections() -> list[Section]:
    """What the write-up holds, in order; review latency comes from ``review_latency``
    when this lorelens has it, else from ``ttfr_by_subsystem``."""
    latency = "review_latency" if "review_latency" in REPORTS else "ttfr_by_subsystem"
    out = [
        Section("contribution_shares", {"by": COUNTED},
                lambda r: charts.contribution_shares_chart(r, counted=COUNTED)),
        Section("contribution_by_org", {"by": COUNTED},
                lambda r: charts.organisations_chart(r, counted=COUNTED)),
        Section(latency, {}, charts.latency_chart),
    ]
    if "where_to_contribute" in REPORTS:
        out.append(Section("where_to_contribute", {}))
    return out


def export_report(con: duckdb.DuckDBPyConnection, out: Path, scope: Mapping[str, Any], *,
                  fmt: str = "md", front_matter: bool = False) -> Path:
    """Write ``out``/report.md (or .html) and its charts for ``scope`` (list, subsystem,
    since, until; text values as on the command line). Returns the document's path."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r}: one of {', '.join(FORMATS)}")
    given = {k: str(v) for k, v in scope.items() if k in SCOPE_KEYS and v not in (None, "")}
    for name in ("overview", *(s.report for s in sections())):
        get_report(name).bind(_params(name, given, {}))  # a bad value: one line, nothing written
    try:
        out.mkdir(parents=True, exist_ok=True)
        doc = Doc()
        title = "lorelens report" + (": " + ", ".join(f"{k} {v}" for k, v in given.items())
                                     if given else "")
        doc.heading(1, title)
        _overview(doc, con, given)
        for section in sections():
            _section(doc, con, out, section, given)
        _provenance(doc, con, given)
        path = out / f"report.{fmt}"
        path.write_text(_document(doc, fmt, title, front_matter), encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{out}: {exc.strerror or exc}") from None
    return path


def _params(name: str, given: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    accepted = {p.name for p in get_report(name).params}
    return {k: v for k, v in {**given, **extra}.items() if k in accepted}


def _overview(doc: Doc, con: duckdb.DuckDBPyConnection, given: Mapping[str, str]) -> None:
    """The scope's figures in words, what to keep in mind before citing them, then the
    report's row as a table (lists as text, not JSON) and how it was made."""
    report = get_report("overview")
    params = _params("overview", given, {})
    result = run_report(con, "overview", params)
    (o,) = result.records()
    doc.heading(2, "Overview")
    doc.para(headline(o))
    caveats = [*(o["caveats"] or []), *filter(None, [stale_enrichment(con)])]
    if caveats:
        doc.para("Before you cite these figures:")
        doc.bullets(caveats)
    doc.para(report.definition)
    doc.table(Result(["figure", "value"], [
        (c, f"the {len(v)} above" if c == "caveats" and v else _shown(v))
        for c, v in o.items()]))
    _how(doc, "overview", params)


def headline(o: Mapping[str, Any]) -> str:
    """The ``overview`` row of a scope in a few sentences, each figure with its n."""
    if not o["messages"]:
        return "No messages in this scope."
    lists = ", ".join(o["lists"]) or "no list"
    words = (f"{o['messages']:,} messages ({o['patches']:,} patches, "
             f"{o['cover_letters']:,} cover letters) in {o['threads']:,} threads on {lists}")
    if o["first_message"] and o["last_message"]:
        words += (f", from {o['first_message']:%Y-%m-%d} to {o['last_message']:%Y-%m-%d} "
                  "(UTC)")
    words += "."
    if o["series"]:
        median = ("was not reached (fewer than half were answered)"
                  if o["km_median_hours"] is None else f"was {_duration(o['km_median_hours'])}")
        words += (f" {o['series']:,} series were posted; {o['answered_pct']}% of those that "
                  "ask for review were answered, and the median time to a first response "
                  f"{median} (Kaplan–Meier, unanswered series counted until "
                  "the end of the archive).")
    if o["authors"]:
        kinds = ", ".join(f"{k} {o[k + '_pct']}%" for k in
                          ("corporate", "individual", "academic", "unknown"))
        words += (f" Patches by the sender's organisation kind at the time (bots left "
                  f"out; {o['authors']:,} authors): {kinds}.")
    return words


def _duration(hours: float) -> str:
    return f"{hours:,.1f} hours" if hours < 48 else f"{hours / 24:,.1f} days"


def _shown(value: Any) -> Any:
    """A figure of the overview row for a reader: a list as text, a list's line per list."""
    if not isinstance(value, list):
        return value
    if not value:
        return "none"
    if isinstance(value[0], dict):  # per_list
        return "; ".join(f"{d['list']}: {d['messages']:,} messages, {text(d['first'])[:10]} "
                         f"to {text(d['last'])[:10]}" for d in value)
    return ", ".join(str(v) for v in value)


def _section(doc: Doc, con: duckdb.DuckDBPyConnection, out: Path, section: Section,
             given: Mapping[str, str]) -> None:
    report = get_report(section.report)
    params = _params(section.report, given, section.extra)
    result = run_report(con, section.report, params)
    doc.heading(2, report.title)
    doc.para(report.definition)
    chart = section.chart(result) if section.chart is not None else None
    if chart is not None and not charts.is_empty(chart):
        charts.save(chart, out / section.report)
        doc.image(section.report, report.title)
    elif chart is not None:
        doc.para("No chart: nothing to draw in this scope.")
    if result.rows:
        doc.table(result)
    else:
        doc.para("No rows for this scope.")
    _how(doc, section.report, params)


def _how(doc: Doc, name: str, params: Mapping[str, str]) -> None:
    """The command, the bound parameters and the SQL that made the table above."""
    report = get_report(name)
    command = " ".join(["lorelens report", name,
                        *(f"-p {k}={json.dumps(v) if ' ' in v else v}"
                          for k, v in params.items())])
    bound = {k: v if v is None or isinstance(v, int | str) else text(v)
             for k, v in report.bind(params).items()}
    doc.para(f"Made by `{command}` with the parameters below (NULL: no filter) and this "
             "SQL:" if bound else f"Made by `{command}` with this SQL:")
    if bound:
        doc.code(json.dumps(bound, indent=2, ensure_ascii=False), "json")
    doc.code(report.sql, "sql")


def _provenance(doc: Doc, con: duckdb.DuckDBPyConnection, given: Mapping[str, str]) -> None:
    s = status(con)
    o = s.overview
    lines = [
        ("lorelens version", metadata.version("lorelens")),
        ("scope", ", ".join(f"{k}={v}" for k, v in given.items()) or "the whole database"),
        ("lists in the database", ", ".join(o["lists"]) or "none"),
        ("messages in the database", f"{o['messages']:,}"),
        ("newest message", text(o["last_message"]) or "none"),
    ]
    if s.last_run:
        r = s.last_run
        lines.append(("last ingest run", f"#{r['run_id']} {r['status']}, started "
                                         f"{text(r['started_at'])}, {r['n_new']:,} new"))
    if s.last_enrichment:
        e = s.last_enrichment
        lines.append(("last enrichment", f"#{e['enrich_id']} {e['mode']}, finished "
                                         f"{text(e['finished_at'])}; "
                                         f"{o['not_enriched']:,} messages since"))
    else:
        lines.append(("last enrichment", "never"))
    lines.append(("definitions used", f"{DEFINITIONS} of lorelens {metadata.version('lorelens')} "
                                      "(Overview, Contribution shares, Elephant factor, "
                                      "Time to first response, Censoring, Organisation kind)"))
    lines.append(("written", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
    doc.heading(2, "Provenance")
    doc.table(Result(["what", "value"], lines))


def _document(doc: Doc, fmt: str, title: str, front_matter: bool) -> str:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    if fmt == "md":
        head = (f"---\ntitle: {json.dumps(title)}\ndate: {today}\n---\n\n"
                if front_matter else "")
        return head + "\n".join(doc.md)
    body = "\n".join(doc.html)
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<style>table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:2px 6px}pre{background:#f6f6f6;padding:6px;overflow:auto}"
            "img{max-width:100%}</style></head>\n<body>\n" + body + "\n</body></html>\n")
    if front_matter:
        page = f"---\ntitle: {json.dumps(title)}\ndate: {today}\n---\n" + page
    return page
