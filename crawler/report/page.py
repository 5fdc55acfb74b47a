"""The report's HTML: `render(data)`, one self-contained page (inline CSS and SVG, no
script, nothing fetched), numbers printed as text next to every chart."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from crawler.health import duration
from crawler.report.data import FillRate, ReportData, Run
from crawler.report.figures import (
    FILL_FIELDS,
    TimeBucket,
    day_of,
    describe_reason,
    failure_reasons,
    fill_rate_of,
    lag_histogram,
    percentile,
    site_layouts,
    time_buckets,
    window_days,
)

LAST_RUNS_SHOWN = 25
TOP_REASONS_SHOWN = 15
MAX_SECTIONS_SHOWN = 11
STORE_COLORS = {"new": "#2b6cb0", "updated": "#dd8a1e", "unchanged": "#a0aec0"}
FAILURE_COLOR = "#c53030"
LAG_COLOR = "#2f855a"
SECTION_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#17becf", "#7f3c8d",
)  # fmt: skip
OTHER_COLOR = "#bab0ac"
FILL_COLOR = "#2b6cb0"
FILL_RUNS_SHOWN = 10
ALERT_MESSAGES_IN_HEADER = 3


def number(value: float) -> str:
    return f"{int(value):,}"


def plural(count: int, noun: str) -> str:
    return f"{number(count)} {noun}{'' if count == 1 else 's'}"


def when(moment: datetime | None) -> str:
    return "–" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def render(data: ReportData) -> str:
    """The whole page. Pure: the same data gives the same bytes."""
    sections = [
        _header(data),
        _runs_section(data),
        _failures_section(data),
        _health_section(data),
        _articles_section(data),
        _freshness_section(data),
    ]
    return PAGE.format(
        title=escape(f"franceinfo crawler — {data.database} — {data.generated_at:%Y-%m-%d %H:%M} UTC"),
        css=CSS,
        body="\n".join(sections),
    )


def _header(data: ReportData) -> str:
    last = data.last_success
    if last is None or last.finished_at is None:
        state, headline, detail = "bad", "No crawl run has finished successfully yet.", ""
    else:
        age = data.generated_at - last.finished_at
        state = "ok" if age < timedelta(minutes=data.max_age_minutes) else "bad"
        headline = f"Last successful run finished {duration(age)} ago"
        detail = (
            f"at {when(last.finished_at)} · run <code>{escape(last.run_id)}</code> · "
            f"{number(last.new)} new, {number(last.updated)} updated, {number(last.unchanged)} unchanged, "
            f"{number(last.failures)} failures"
        )
    statuses = Counter(run.status for run in data.runs)
    median = statistics.median(data.lags_s) if data.lags_s else None
    cards = [
        ("Articles stored", number(data.total_articles), "in total"),
        ("Revisions archived", number(data.total_revisions), "older versions of edited articles"),
        (
            "Runs",
            number(len(data.runs)),
            ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "none in the window",
        ),
        ("New articles", number(sum(run.new for run in data.runs)), "store/new, runs in the window"),
        ("Updated", number(sum(run.updated for run in data.runs)), "store/updated, runs in the window"),
        ("Failures", number(sum(run.failures for run in data.runs)), "failed/* + dropped/*, runs in the window"),
        (
            "Median freshness lag",
            "–" if median is None else duration(timedelta(seconds=median)),
            f"published → first seen, {number(len(data.lags_s))} articles",
        ),
    ]
    card_html = "".join(
        f'<div class="card"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div><div class="note">{escape(note)}</div></div>'
        for label, value, note in cards
    )
    return f"""<header>
<h1>franceinfo crawler</h1>
<p class="meta">Generated {when(data.generated_at)} from database <code>{escape(data.database)}</code> ·
window: the last {plural(data.days, "day")} (since {when(data.since)}) · all times UTC</p>
<div class="status {state}" id="last-run"><strong>{escape(headline)}</strong>
<span>{detail}</span></div>
{_health_warning(last)}
<div class="cards" id="totals">{card_html}</div>
</header>"""


def _health_warning(last: Run | None) -> str:
    """The last successful run's drifts at the top: a layout whose selectors stopped
    matching is seen before anyone scrolls down to the panels."""
    if last is None or not last.health_alerts:
        return ""
    alerts = last.health_alerts
    shown = "; ".join(escape(alert.message) for alert in alerts[:ALERT_MESSAGES_IN_HEADER])
    rest = len(alerts) - ALERT_MESSAGES_IN_HEADER
    more = f"; and {number(rest)} more" if rest > 0 else ""
    return (
        f'<div class="status warn" id="health-warning"><strong>'
        f"{plural(len(alerts), 'extraction health alert')} on the last successful run</strong>"
        f"<span>{shown}{more} (see Extraction health below)</span></div>"
    )


def _runs_section(data: ReportData) -> str:
    buckets = time_buckets(data.runs, data.since, data.generated_at)
    tick = _tick_every(data.generated_at - data.since)
    stored_bars, failure_bars = [], []
    for bucket in buckets:
        label = _tick_label(bucket.start, tick)
        period = f"{bucket.start:%d %b %H:%M}–{bucket.end:%H:%M} UTC: {len(bucket.runs)} runs"
        stored = {name: bucket.total(name) for name in STORE_COLORS}
        stored_bars.append(
            Bar(
                label,
                tuple(stored.items()),
                f"{period}, " + ", ".join(f"{number(v)} {k}" for k, v in stored.items()),
            )
        )
        failures = bucket.total("failures")
        failure_bars.append(Bar(label, (("failures", failures),), f"{period}, {number(failures)} failures"))
    bucket_size = buckets[0].end - buckets[0].start
    legend = _legend(STORE_COLORS)
    charts = (
        f"<h3>Articles stored, per {_period(bucket_size)} (by run start)</h3>{legend}"
        + stacked_bars(stored_bars, STORE_COLORS, title="Articles stored per run period", chart_id="runs-chart")
        + f"<h3>Failures, per {_period(bucket_size)}</h3>"
        + stacked_bars(
            failure_bars,
            {"failures": FAILURE_COLOR},
            title="Failures per run period",
            height=120,
            chart_id="failures-chart",
        )
    )
    rows = []
    for run in data.runs[:LAST_RUNS_SHOWN]:
        shown_arguments = sorted((k, v) for k, v in run.arguments.items() if k not in ("base_url", "site"))
        arguments = " ".join(f"{k}={v}" for k, v in shown_arguments) or "(defaults)"
        took = "–" if run.duration is None else duration(run.duration)
        rows.append(
            f'<tr><td title="{escape(run.run_id)}">{when(run.started_at)}</td><td class="num">{took}</td>'
            f"<td>{escape(run.site)} <code>{escape(arguments)}</code></td>"
            f'<td><span class="badge {escape(run.status)}">{escape(run.status)}</span></td>'
            f"<td>{escape(run.finish_reason or '–')}</td>"
            + "".join(
                f'<td class="num">{number(v)}</td>'
                for v in (run.new, run.updated, run.unchanged, run.failures, run.requests)
            )
            + "</tr>"
        )
    table = (
        '<table id="runs-table"><thead><tr><th>started</th><th>took</th><th>site, arguments</th><th>status</th>'
        "<th>finish reason</th><th>new</th><th>updated</th><th>unchanged</th><th>failures</th><th>requests</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        if rows
        else '<p class="empty">No run started in the window.</p>'
    )
    shown = min(len(data.runs), LAST_RUNS_SHOWN)
    return f"""<section id="runs">
<h2>Runs over time</h2>
<p>{plural(len(data.runs), "run")} started in the last {plural(data.days, "day")}.</p>
{charts}
<h3>Last runs ({shown} of {number(len(data.runs))}, newest first)</h3>
{table}
</section>"""


def _failures_section(data: ReportData) -> str:
    reasons = failure_reasons(data.runs)
    if not reasons:
        body = '<p class="empty">No failures in the window.</p>'
    else:
        top = reasons[0][1]
        rows = "".join(
            f"<tr><td><code>{escape(reason)}</code></td><td class='num'>{number(total)}</td>"
            f"<td class='num'>{number(runs)}</td><td>{_inline_bar(total / top, FAILURE_COLOR)}</td>"
            f"<td>{escape(describe_reason(reason))}</td></tr>"
            for reason, total, runs in reasons[:TOP_REASONS_SHOWN]
        )
        body = (
            '<table id="failure-reasons"><thead><tr><th>reason</th><th>count</th><th>runs</th><th></th>'
            f"<th>meaning</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return f"""<section id="failures">
<h2>Top failure reasons</h2>
<p>Sum of the <code>failed/*</code> and <code>dropped/*</code> counts of the {plural(len(data.runs), "run")} above
({plural(len(reasons), "distinct reason")}).</p>
{body}
</section>"""


def _health_section(data: ReportData) -> str:
    measured = [run for run in reversed(data.runs) if run.fill_rates]
    alerts = _alerts_table(data)
    if not measured:
        body = f'{alerts}<p class="empty">No run in the window recorded fill rates.</p>'
    else:
        alerts = alerts or '<p class="empty">No extraction health alert in the window.</p>'
        buckets = time_buckets(measured, data.since, data.generated_at)
        recent = measured[-FILL_RUNS_SHOWN:]
        flagged = {
            (run.run_id, alert.site, alert.layout, alert.field)
            for run in recent
            for alert in run.health_alerts
            if alert.kind == "fill_rate"
        }
        panels = "\n".join(
            f"<h3>{escape(site)}</h3>\n"
            + "\n".join(_fill_panel(site, layout, measured, recent, buckets, flagged) for layout in layouts)
            for site, layouts in site_layouts(measured).items()
        )
        body = (
            f"<p>Share of the pages read with each layout where the field was filled "
            f"(<code>crawl_runs.fill_rates</code>): over the window, with its line per "
            f"{_period(buckets[0].end - buckets[0].start)}, then per run for the last "
            f"{plural(len(recent), 'run')} that recorded it, oldest first. Alerts are the drifts each run's "
            f"health check reported (<code>crawl_runs.health_alerts</code>).</p>\n"
            f"{alerts}\n{panels}"
        )
    return f"""<section id="extraction-health">
<h2>Extraction health</h2>
{body}
</section>"""


def _alerts_table(data: ReportData) -> str:
    """The window's alerts, newest run first, the last successful run's marked as the
    header marks a failing state; empty without alerts."""
    latest = data.last_success.run_id if data.last_success else None
    rows = []
    for run in data.runs:
        current = run.run_id == latest
        opening = '<tr class="current">' if current else "<tr>"
        badge = ' <span class="badge failed">last successful run</span>' if current else ""
        rows.extend(
            f"{opening}<td>{when(run.started_at)}</td>"
            f"<td><code>{escape(run.run_id)}</code>{badge}</td><td>{escape(alert.kind)}</td>"
            f"<td>{escape(alert.message)}</td></tr>"
            for alert in run.health_alerts
        )
    if not rows:
        return ""
    return (
        f"<h3>Alerts ({number(len(rows))}, newest run first)</h3>"
        '<table id="health-alerts"><thead><tr><th>run started</th><th>run</th><th>kind</th><th>message</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _fill_panel(
    site: str,
    layout: str,
    runs: Sequence[Run],
    recent: Sequence[Run],
    buckets: Sequence[TimeBucket],
    flagged: set[tuple[str, str, str, str | None]],
) -> str:
    """One (site, layout): a row per field and one for the pages read, the window's
    rate with its line over time, then a cell per recent run."""
    window = fill_rate_of(runs, site, layout) or FillRate(site, layout, 0)
    per_run = [fill_rate_of([run], site, layout) for run in recent]
    per_bucket = [fill_rate_of(bucket.runs, site, layout) for bucket in buckets]
    names = [*FILL_FIELDS, *sorted(set(window.filled) - set(FILL_FIELDS))]
    most_pages = max((rate.pages for rate in per_bucket if rate), default=0) or 1
    runs_read = sum(1 for run in runs if fill_rate_of([run], site, layout))
    head = "".join(
        f'<th class="run" title="{escape(run.run_id)}">{run.started_at:%d %b}<br>{run.started_at:%H:%M}</th>'
        if run.started_at
        else f'<th class="run" title="{escape(run.run_id)}">–</th>'
        for run in recent
    )
    pages_line = _sparkline([rate.pages / most_pages if rate else None for rate in per_bucket])
    rows = [
        f'<tr class="pages"><td>pages read</td><td class="num">{number(window.pages)}</td><td>{pages_line}</td>'
        + "".join(f'<td class="num">{number(rate.pages) if rate else "–"}</td>' for rate in per_run)
        + "</tr>"
    ]
    for name in names:
        line = _sparkline([_share(rate, name) for rate in per_bucket])
        cells = "".join(
            _fill_cell(rate, name, (run.run_id, site, layout, name) in flagged)
            for run, rate in zip(recent, per_run, strict=True)
        )
        rows.append(f"<tr><td>{escape(name)}</td>{_fill_cell(window, name)}<td>{line}</td>{cells}</tr>")
    return (
        f'<div class="health-panel"><h4><code>{escape(layout)}</code> · {plural(window.pages, "page")} in '
        f"{plural(runs_read, 'run')}</h4>"
        f'<div class="table-box"><table class="fill-rates"><thead><tr><th>field</th><th>window</th><th>over time</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></div>"
    )


def _share(rate: FillRate | None, name: str) -> float | None:
    if rate is None or rate.pages <= 0:
        return None
    return rate.filled.get(name, 0) / rate.pages


def _fill_cell(rate: FillRate | None, name: str, alert: bool = False) -> str:
    """The rate as text, its cell the redder the emptier the field, outlined when the
    run's health check raised an alert on it."""
    percent = rate.percent(name) if rate else None
    if percent is None:
        return '<td class="num fill">–</td>'
    shade = f' style="background:rgba(197,48,48,{min(0.6, (100 - percent) / 100):.2f})"' if percent < 100 else ""
    return f'<td class="num fill{" alert" if alert else ""}"{shade}>{percent}%</td>'


def _articles_section(data: ReportData) -> str:
    days = window_days(data)
    totals: Counter[str] = Counter()
    for per_section in data.section_days.values():
        totals.update(per_section)
    ordered = [name for name, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    shown, rest = ordered[:MAX_SECTIONS_SHOWN], ordered[MAX_SECTIONS_SHOWN:]
    colors = {name: SECTION_PALETTE[i % len(SECTION_PALETTE)] for i, name in enumerate(shown)}
    if rest:
        colors["other"] = OTHER_COLOR
    label_every = max(1, math.ceil(len(days) / 16))
    bars = []
    for index, day in enumerate(days):
        per_section = data.section_days.get(day, {})
        segments = [(name, per_section.get(name, 0)) for name in shown]
        if rest:
            segments.append(("other", sum(per_section.get(name, 0) for name in rest)))
        label = _short_day(day) if index % label_every == 0 or index == len(days) - 1 else ""
        tooltip = f"{day}: {number(sum(per_section.values()))} articles"
        bars.append(Bar(label, tuple(segments), tooltip))
    chart = stacked_bars(bars, colors, title="Articles per section per day", chart_id="sections-chart", values=True)
    columns = [*shown, *(["other"] if rest else [])]
    head = "".join(f"<th>{escape(name)}</th>" for name in columns)
    rows = []
    for day in reversed(days):
        per_section = data.section_days.get(day, {})
        cells = [per_section.get(name, 0) for name in shown]
        if rest:
            cells.append(sum(per_section.get(name, 0) for name in rest))
        rows.append(
            f"<tr><td>{escape(day)}</td>"
            + "".join(f'<td class="num">{number(c) if c else ""}</td>' for c in cells)
            + f'<td class="num total">{number(sum(per_section.values()))}</td></tr>'
        )
    table = (
        f'<div class="table-box"><table id="sections-table"><thead><tr><th>day (date_path)</th>{head}'
        f"<th>total</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    stored = sum(totals.values())
    return f"""<section id="articles">
<h2>Articles per section per day</h2>
<p>{number(stored)} stored articles published on the {len(days)} days shown (by <code>date_path</code>,
Paris days), in {len(ordered)} sections.</p>
{_legend(colors)}
{chart}
{table}
</section>"""


def _freshness_section(data: ReportData) -> str:
    histogram = lag_histogram(data.lags_s)
    bars = [Bar(label, (("articles", n),), f"{label}: {number(n)} articles") for label, n in histogram]
    chart = stacked_bars(
        bars, {"articles": LAG_COLOR}, title="Freshness lag distribution", chart_id="lag-chart", values=True
    )
    if data.lags_s:
        figures = ", ".join(
            f"{name} {duration(timedelta(seconds=value))}"
            for name, value in (
                ("median", statistics.median(data.lags_s)),
                ("90th percentile", percentile(data.lags_s, 90) or 0),
                ("max", max(data.lags_s)),
            )
        )
        summary = f"{number(len(data.lags_s))} articles first seen in the window: {figures}."
    else:
        summary = "No article was first seen in the window."
    rows = "".join(f"<tr><td>{escape(label)}</td><td class='num'>{number(n)}</td></tr>" for label, n in histogram)
    return f"""<section id="freshness">
<h2>Freshness lag</h2>
<p>Time from <code>published_at</code> to <code>first_seen_at</code> (<code>freshness_lag_s</code>). {summary}</p>
{chart}
<details><summary>The same as a table</summary>
<table id="lag-table"><thead><tr><th>lag</th><th>articles</th></tr></thead><tbody>{rows}</tbody></table>
</details>
</section>"""


# ------------------------------------------------------------------------- SVG


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[tuple[str, float], ...]
    tooltip: str


def stacked_bars(
    bars: Sequence[Bar],
    colors: dict[str, str],
    *,
    title: str,
    chart_id: str,
    width: int = 960,
    height: int = 220,
    values: bool = False,
) -> str:
    """A stacked bar chart as inline SVG: one bar per item, segments bottom to top,
    a `<title>` tooltip per bar, y gridlines at 0, half and the top."""
    left, right, top, bottom = 56, 8, 18 if values else 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((sum(v for _, v in bar.segments) for bar in bars), default=0)
    ceiling = nice_ceiling(peak)
    slot = plot_w / max(1, len(bars))
    bar_w = max(1.0, slot * 0.8)
    parts = [
        f'<svg id="{chart_id}" class="chart" role="img" aria-labelledby="{chart_id}-title" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{_axis(ceiling * fraction)}</text>'
        )
    for index, bar in enumerate(bars):
        x = left + index * slot + (slot - bar_w) / 2
        y = top + plot_h
        total = 0.0
        group = [f"<g><title>{escape(bar.tooltip)}</title>"]
        for name, value in bar.segments:
            if value <= 0:
                continue
            h = plot_h * value / ceiling
            y -= h
            total += value
            group.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" '
                f'fill="{colors.get(name, "#718096")}"/>'
            )
        if values and total:
            group.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" class="value" text-anchor="middle">{number(total)}</text>'
            )
        group.append("</g>")
        parts.append("".join(group))
        if bar.label:
            center, half = left + (index + 0.5) * slot, len(bar.label) * 3.3
            anchor, x_label = "middle", center
            if center + half > width:
                anchor, x_label = "end", width - 1
            elif center - half < 0:
                anchor, x_label = "start", 1
            parts.append(
                f'<text x="{x_label:.1f}" y="{height - 6}" class="axis" '
                f'text-anchor="{anchor}">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return '<div class="chart-box">' + "\n".join(parts) + "</div>"


def nice_ceiling(value: float) -> float:
    """A round axis top at or above value: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _axis(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _inline_bar(fraction: float, color: str, width: int = 160) -> str:
    filled = max(1.0, width * fraction)
    return (
        f'<svg class="inline-bar" width="{width}" height="12" viewBox="0 0 {width} 12" aria-hidden="true">'
        f'<rect width="{filled:.1f}" height="12" fill="{color}"/></svg>'
    )


def _sparkline(fractions: Sequence[float | None], width: int = 168, height: int = 18) -> str:
    """Fractions (0..1) over time as a line on a 0–100% track. A slot without a value is
    no measurement rather than a drop, so the line joins the slots on either side."""
    slot = width / max(1, len(fractions))
    points = [
        f"{(index + 0.5) * slot:.1f},{1 + (height - 2) * (1 - min(1.0, fraction)):.1f}"
        for index, fraction in enumerate(fractions)
        if fraction is not None
    ]
    path = f"M{'L'.join(points)}h0" if points else ""
    return (
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<rect width="{width}" height="{height}" class="track"/>'
        f'<line x1="0" x2="{width}" y1="1" y2="1" class="grid"/>'
        f'<path d="{path}" class="line" stroke="{FILL_COLOR}"/></svg>'
    )


def _legend(colors: dict[str, str]) -> str:
    items = "".join(f'<span><i style="background:{color}"></i>{escape(name)}</span>' for name, color in colors.items())
    return f'<div class="legend">{items}</div>'


def _period(size: timedelta) -> str:
    minutes = int(size.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} minutes"
    if minutes < 1440:
        return "hour" if minutes == 60 else f"{minutes // 60} hours"
    return "day" if minutes == 1440 else f"{minutes // 1440} days"


def _tick_every(window: timedelta) -> timedelta:
    for hours in (1, 3, 6, 12, 24, 48, 168):
        if window / timedelta(hours=hours) <= 10:
            return timedelta(hours=hours)
    return timedelta(days=30)


def _tick_label(start: datetime, tick: timedelta) -> str:
    seconds = int(start.timestamp())
    if seconds % int(tick.total_seconds()):
        return ""
    return f"{start:%d %b}" if tick >= timedelta(days=1) else f"{start:%d %b %H:%M}"


def _short_day(date_path: str) -> str:
    day = day_of(date_path)
    return f"{day:%d %b}" if day else date_path


CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c;
       margin: 0 auto; max-width: 1000px; padding: 16px 20px 48px; background: #fff; }
h1 { font-size: 24px; margin: 8px 0 2px; }
h2 { font-size: 19px; margin: 36px 0 6px; padding-top: 12px; border-top: 2px solid #e2e8f0; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.meta { color: #4a5568; margin: 0 0 12px; }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; background: #f1f5f9; padding: 0 3px;
       border-radius: 3px; }
.status { padding: 12px 16px; border-radius: 6px; margin: 10px 0 14px; border-left: 6px solid; }
.status strong { display: block; font-size: 18px; }
.status.ok { background: #f0fff4; border-color: #38a169; }
.status.bad { background: #fff5f5; border-color: #e53e3e; }
.status.warn { background: #fffaf0; border-color: #dd6b20; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.card { border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px 12px; }
.card .label { color: #4a5568; font-size: 12.5px; }
.card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .note { color: #718096; font-size: 11.5px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; }
th { background: #f7fafc; font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.total { font-weight: 600; }
.badge { padding: 1px 6px; border-radius: 9px; font-size: 12px; background: #e2e8f0; }
.badge.finished { background: #c6f6d5; }
.badge.failed { background: #fed7d7; }
.badge.running { background: #feebc8; }
.chart-box, .table-box { overflow-x: auto; }
#sections-table { font-size: 12px; }
#sections-table th, #sections-table td { padding: 3px 4px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .grid { stroke: #e2e8f0; stroke-width: 1; }
svg .axis { font-size: 11px; fill: #4a5568; }
svg .value { font-size: 11px; fill: #1a202c; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12.5px; margin: 4px 0; }
.legend i { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px; }
.empty { color: #718096; font-style: italic; }
tr.current td { background: #fff5f5; }
.health-panel h4 { font-size: 13.5px; font-weight: 600; margin: 14px 0 2px; }
table.fill-rates { width: auto; font-size: 12px; }
table.fill-rates th, table.fill-rates td { padding: 2px 6px; }
table.fill-rates th.run { font-weight: 500; font-size: 11px; text-align: right; white-space: nowrap; }
td.fill.alert { outline: 2px solid #c53030; outline-offset: -2px; font-weight: 600; }
svg.sparkline { display: block; }
svg .track { fill: #f7fafc; }
svg .line { fill: none; stroke-width: 1.5; stroke-linecap: round; stroke-linejoin: round; }
details { margin: 6px 0; }
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
{body}
<footer class="meta"><p>Made by <code>python -m crawler.report</code>. Counts are Scrapy stats saved in
<code>crawl_runs.counts</code>; their meaning is in the README's "What a run counts".</p></footer>
</body>
</html>
"""


# ------------------------------------------------------------------------- CLI
