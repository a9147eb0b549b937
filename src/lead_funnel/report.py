"""`lead-funnel report`: one self-contained HTML file with the funnel's charts.

Charts are drawn here as inline SVG, so the file opens offline, prints, and loads nothing
from the network (no chart library, fonts or images to fetch). A few lines of inline script
only confirm that every chart holds marks, which the browser test reads.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from lead_funnel import paths, schemas
from lead_funnel.stages import funnel_stages
from lead_funnel.warehouse import connect_for_reading

WIDTH = 720
PALETTE = ("#3b6ea8", "#e07b39", "#4f9d69", "#b5485d", "#7a5ca8", "#8c8c3a")
CALIBRATION_TABLE = "rpt_threshold_calibration"
MQL_LIST_LIMIT = 100


def default_report_path() -> Path:
    """reports/lead_funnel_report.html under the project (git-ignored)."""
    return paths.project_dir() / "reports" / "lead_funnel_report.html"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    fmt: Callable[[float], str],
    *,
    horizontal: bool = False,
) -> str:
    """Grouped bars; each bar carries a <title> with its exact value."""
    values = [v for vals in series.values() for v in vals if v is not None]
    top = _nice_max(max(values, default=0))
    marks: list[str] = []
    if horizontal:
        row_h, left, height = 28, 170, 28 * len(categories) + 40
        plot_w = WIDTH - left - 90
        for i, category in enumerate(categories):
            y = 10 + i * row_h
            marks.append(
                f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" class="lbl">'
                f"{_esc(category)}</text>"
            )
            for j, (name, vals) in enumerate(series.items()):
                value = vals[i]
                if value is None:
                    continue
                w = max(plot_w * value / top, 1)
                bar_h = (row_h - 8) / len(series)
                by = y + 2 + j * bar_h
                marks.append(
                    f'<rect class="mark" x="{left}" y="{by:.1f}" width="{w:.1f}" '
                    f'height="{bar_h:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                    f"<title>{_esc(category)} {_esc(name)}: {_esc(fmt(value))}</title></rect>"
                    f'<text x="{left + w + 4:.1f}" y="{by + bar_h - 4:.1f}" class="val">'
                    f"{_esc(fmt(value))}</text>"
                )
    else:
        height, left, bottom = 260, 60, 60
        plot_h = height - bottom - 20
        slot = (WIDTH - left - 10) / max(len(categories), 1)
        bar_w = slot * 0.8 / max(len(series), 1)
        for tick in range(5):
            value = top * tick / 4
            y = 20 + plot_h - plot_h * tick / 4
            marks.append(
                f'<line x1="{left}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="lbl">'
                f"{_esc(fmt(value))}</text>"
            )
        for i, category in enumerate(categories):
            x0 = left + i * slot + slot * 0.1
            marks.append(
                f'<text x="{x0 + slot * 0.4:.1f}" y="{height - bottom + 16}" text-anchor="end" '
                f'transform="rotate(-30 {x0 + slot * 0.4:.1f} {height - bottom + 16})" '
                f'class="lbl">{_esc(category)}</text>'
            )
            for j, (name, vals) in enumerate(series.items()):
                value = vals[i]
                if value is None:
                    continue
                h = max(plot_h * value / top, 1)
                marks.append(
                    f'<rect class="mark" x="{x0 + j * bar_w:.1f}" y="{20 + plot_h - h:.1f}" '
                    f'width="{bar_w * 0.95:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[j % len(PALETTE)]}"><title>{_esc(category)} {_esc(name)}: '
                    f"{_esc(fmt(value))}</title></rect>"
                )
    return _svg(height, marks, list(series))


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    fmt: Callable[[float], str],
    *,
    band: tuple[float | None, float | None] | None = None,
    band_label: str = "",
) -> str:
    """Lines over ordered labels, with an optional shaded band (a benchmark range)."""
    values = [v for vals in series.values() for v in vals if v is not None]
    if band:
        values += [v for v in band if v is not None]
    top = _nice_max(max(values, default=0))
    height, left, bottom = 280, 60, 60
    plot_h = height - bottom - 20
    step = (WIDTH - left - 20) / max(len(labels) - 1, 1)

    def y_of(value: float) -> float:
        return 20 + plot_h - plot_h * value / top

    marks: list[str] = []
    for tick in range(5):
        value = top * tick / 4
        marks.append(
            f'<line x1="{left}" x2="{WIDTH - 10}" y1="{y_of(value):.1f}" y2="{y_of(value):.1f}" '
            f'class="grid"/><text x="{left - 6}" y="{y_of(value) + 4:.1f}" text-anchor="end" '
            f'class="lbl">{_esc(fmt(value))}</text>'
        )
    if band:
        low = band[0] or 0.0
        high = band[1] if band[1] is not None else top
        marks.append(
            f'<rect class="band" x="{left}" y="{y_of(high):.1f}" width="{WIDTH - left - 10}" '
            f'height="{y_of(low) - y_of(high):.1f}"><title>{_esc(band_label)}</title></rect>'
        )
    every = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % every == 0:
            x = left + i * step
            marks.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="end" '
                f'transform="rotate(-30 {x:.1f} {height - bottom + 16})" class="lbl">'
                f"{_esc(label)}</text>"
            )
    for j, (name, vals) in enumerate(series.items()):
        color = PALETTE[j % len(PALETTE)]
        points = [
            (left + i * step, y_of(v), labels[i], v) for i, v in enumerate(vals) if v is not None
        ]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        marks.append(f'<polyline class="mark" fill="none" stroke="{color}" points="{path}"/>')
        for x, y, label, v in points:
            marks.append(
                f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{_esc(label)} {_esc(name)}: {_esc(fmt(v))}</title></circle>"
            )
    return _svg(height, marks, list(series))


def _svg(height: int, marks: list[str], legend: list[str]) -> str:
    legend_marks = "".join(
        f'<rect x="{10 + i * 170}" y="{height + 6}" width="12" height="12" '
        f'fill="{PALETTE[i % len(PALETTE)]}"/><text x="{28 + i * 170}" y="{height + 16}" '
        f'class="lbl">{_esc(name)}</text>'
        for i, name in enumerate(legend)
    )
    return (
        f'<svg viewBox="0 0 {WIDTH} {height + 26}" width="{WIDTH}" height="{height + 26}" '
        f'role="img" xmlns="http://www.w3.org/2000/svg">{"".join(marks)}{legend_marks}</svg>'
    )


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _hours(value: float) -> str:
    return f"{value:,.1f} h"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _default_model(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        f"select scoring_model from {schemas.table('seeds', 'scoring_models')} where is_default"
        " order by scoring_model limit 1"
    ).fetchone()
    return row[0] if row else "default"


def _figure(chart_id: str, title: str, caption: str, body: str, *, has_chart: bool = True) -> str:
    cls = "chart" if has_chart else "note"
    return (
        f'<section class="{cls}" data-chart="{_esc(chart_id)}"><h2>{_esc(title)}</h2>'
        f'<p class="caption">{_esc(caption)}</p>{body}</section>'
    )


def build_report(db_path: Path, scoring_model: str | None = None) -> str:
    """The report's HTML for one scoring model (default: the seed's default model)."""
    with connect_for_reading(db_path) as con:
        model = scoring_model or _default_model(con)
        sections = [
            _funnel_section(con, model),
            _cohort_section(con, model),
            _velocity_section(con, model),
            _speed_section(con, model),
            _cost_section(con, model),
            _calibration_section(con),
            _mql_list_section(con, model),
        ]
        as_of = con.execute(
            f"select max(scored_as_of) from {schemas.table('marts', 'fct_lead_scores')}"
            " where scoring_model = ?",
            [model],
        ).fetchone()[0]
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return _page(model, str(as_of), generated, sections)


def _funnel_section(con: duckdb.DuckDBPyConnection, model: str) -> str:
    # The funnel stages of seed lifecycle_stages: the lead stage counted over lead cohorts,
    # the others over MQL cohorts; a stage without a named count column from stage_counts.
    stages = funnel_stages()
    sums = ",\n".join(
        "sum(case when view_type = '{view}' then {count} end)".format(
            view="lead_cohort" if stage.cycle_role == "lead" else "mql_cohort",
            count=stage.count_column or f"stage_counts['{stage.stage}']",
        )
        for stage in stages
    )
    row = con.execute(
        f"""
        select {sums}
        from {schemas.table("marts", "rpt_funnel_conversion")}
        where scoring_model = ? and slice_dimension = 'all'
        """,
        [model],
    ).fetchone()
    labels = [stage.label for stage in stages]
    counts = [float(v or 0) for v in row]
    chart = bar_chart(labels, {"count": counts}, _count, horizontal=True)
    return _figure(
        "funnel",
        "Funnel",
        "Surviving leads, then MQL cycles reaching each stage"
        " (all cohorts; rpt_funnel_conversion).",
        chart,
    )


def _cohort_section(con: duckdb.DuckDBPyConnection, model: str) -> str:
    rows = con.execute(
        f"""
        select period_month, mql_to_sql_rate, mql_to_sql_rate_in_window, is_cohort_immature
        from {schemas.table("marts", "rpt_funnel_conversion")}
        where scoring_model = ? and view_type = 'mql_cohort' and slice_dimension = 'all'
        order by period_month
        """,
        [model],
    ).fetchall()
    band = con.execute(
        f"""
        select range_low, range_high, source_name, source_file
        from {schemas.table("seeds", "benchmark_ranges")}
        where metric = 'mql_to_sql_rate' and is_preferred
        order by source_file, range_low, range_high
        limit 1
        """
    ).fetchone()
    labels = [f"{r[0]:%Y-%m}" + (" *" if r[3] else "") for r in rows]
    chart = line_chart(
        labels,
        {"MQL->SQL ever": [r[1] for r in rows], "within window": [r[2] for r in rows]},
        _pct,
        band=(band[0], band[1]) if band else None,
        band_label=f"benchmark {band[2]} ({band[3]})" if band else "",
    )
    source = (
        f"Shaded: the benchmark band {_pct(band[0])}-{_pct(band[1])} ({band[2]}, {band[3]})."
        if band
        else "No benchmark band in seed benchmark_ranges."
    )
    return _figure(
        "cohort_conversion",
        "MQL->SQL conversion by MQL cohort",
        f"{source} * = cohort younger than the conversion window.",
        chart,
    )


def _velocity_section(con: duckdb.DuckDBPyConnection, model: str) -> str:
    rows = con.execute(
        f"""
        select from_stage || ' -> ' || to_stage, median_hours, p75_hours, p90_hours
        from {schemas.table("marts", "rpt_stage_velocity")}
        where scoring_model = ? and is_all_cohorts and slice_dimension = 'all'
        order by stage_pair_order
        """,
        [model],
    ).fetchall()
    chart = bar_chart(
        [r[0] for r in rows],
        {"median": [r[1] for r in rows], "p75": [r[2] for r in rows], "p90": [r[3] for r in rows]},
        _hours,
        horizontal=True,
    )
    return _figure(
        "velocity",
        "Stage velocity",
        "Hours between stages: median, 75th and 90th percentile (rpt_stage_velocity).",
        chart,
    )


def _speed_section(con: duckdb.DuckDBPyConnection, model: str) -> str:
    rows = con.execute(
        f"""
        select response_bucket, mql_to_sql_rate, mql_cycles
        from {schemas.table("marts", "rpt_speed_to_lead")}
        where scoring_model = ? and is_all_cohorts and response_bucket <> 'all'
        order by response_bucket_order
        """,
        [model],
    ).fetchall()
    chart = bar_chart(
        [f"{r[0]} (n={r[2]:,})" for r in rows], {"MQL->SQL rate": [r[1] for r in rows]}, _pct
    )
    return _figure(
        "speed_to_lead",
        "Conversion by speed to lead",
        "MQL->SQL rate by time from MQL to first sales touch (rpt_speed_to_lead).",
        chart,
    )


def _cost_section(con: duckdb.DuckDBPyConnection, model: str) -> str:
    rows = con.execute(
        f"""
        select channel, cost_per_lead, cost_per_mql, cost_per_sql, cost_per_opportunity
        from {schemas.table("marts", "rpt_cost_per_stage")}
        where scoring_model = ? and is_all_months and attribution = 'first_touch'
            and spend > 0
        order by is_blended, channel
        """,
        [model],
    ).fetchall()
    chart = bar_chart(
        [r[0] for r in rows],
        {
            "per lead": [r[1] for r in rows],
            "per MQL": [r[2] for r in rows],
            "per SQL": [r[3] for r in rows],
            "per opportunity": [r[4] for r in rows],
        },
        _money,
    )
    return _figure(
        "cost_per_stage",
        "Cost per stage by channel",
        "All months, first-touch attribution; 'all' is blended (rpt_cost_per_stage).",
        chart,
    )


def _calibration_section(con: duckdb.DuckDBPyConnection) -> str:
    title = "MQL threshold calibration"
    shown = f"{schemas.schema('marts')}.{CALIBRATION_TABLE}"
    if not _table_exists(con, schemas.schema("marts"), CALIBRATION_TABLE):
        return _figure(
            "calibration",
            title,
            f"Not built: {shown} is not in this warehouse. Build it with "
            f"`lead-funnel build --select {CALIBRATION_TABLE}` to see the calibration curve.",
            "",
            has_chart=False,
        )
    calibration = schemas.table("marts", CALIBRATION_TABLE)
    columns = {r[0] for r in con.execute(f"describe {calibration}").fetchall()}
    threshold = next((c for c in ("threshold", "mql_threshold") if c in columns), None)
    rate = "mql_to_sql_rate" if "mql_to_sql_rate" in columns else None
    wins = next((c for c in sorted(columns) if "win" in c and "share" in c), None)
    if not (threshold and rate and "scoring_model" in columns):
        return _figure(
            "calibration",
            title,
            f"Not built: {shown} lacks the threshold sweep columns "
            f"(has {', '.join(sorted(columns))}).",
            "",
            has_chart=False,
        )
    rows = con.execute(
        f"""
        select scoring_model, {threshold}, {rate}{", " + wins if wins else ""}
        from {calibration}
        where {threshold} is not null
        order by scoring_model, {threshold}
        """
    ).fetchall()
    thresholds = sorted({r[1] for r in rows})
    series: dict[str, list[float | None]] = {}
    for row in rows:
        series.setdefault(f"{row[0]} MQL->SQL", [None] * len(thresholds))
        series[f"{row[0]} MQL->SQL"][thresholds.index(row[1])] = row[2]
        if wins:
            series.setdefault(f"{row[0]} wins captured", [None] * len(thresholds))
            series[f"{row[0]} wins captured"][thresholds.index(row[1])] = row[3]
    chart = line_chart([f"{t:g}" for t in thresholds], series, _pct)
    return _figure(
        "calibration",
        title,
        f"Per scoring model: MQL->SQL rate and share of wins captured at each MQL threshold "
        f"({shown}).",
        chart,
    )


def _mql_list_section(con: duckdb.DuckDBPyConnection, model: str) -> str:
    rows = con.execute(
        f"""
        select
            scores.lead_id, leads.channel, leads.industry, leads.country,
            scores.lead_grade, round(scores.lead_score, 1), scores.marketing_qualified_at,
            scores.mql_trigger
        from {schemas.table("marts", "fct_lead_scores")} as scores
        inner join {schemas.table("marts", "dim_leads")} as leads
            on scores.lead_id = leads.lead_id
        where scores.scoring_model = ? and leads.current_stage = 'mql'
        order by scores.marketing_qualified_at desc, scores.lead_id
        limit {MQL_LIST_LIMIT}
        """,
        [model],
    ).fetchall()
    total = con.execute(
        f"select count(*) from {schemas.table('marts', 'dim_leads')} where current_stage = 'mql'"
    ).fetchone()[0]
    header = "".join(
        f"<th>{h}</th>"
        for h in ("lead", "channel", "industry", "country", "grade", "score", "MQL at", "trigger")
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc('' if v is None else v)}</td>" for v in row) + "</tr>"
        for row in rows
    )
    table = f'<table class="mql-list"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'
    return _figure(
        "mql_list",
        "Current MQLs",
        f"{total:,} leads are MQLs now (dim_leads.current_stage, default scoring model); "
        f"the {min(total, MQL_LIST_LIMIT)} most recent shown.",
        table,
        has_chart=False,
    )


STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 780px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-bottom: 2px; }
.caption { color: #555; font-size: 13px; margin-top: 2px; }
section { margin-bottom: 28px; }
svg text.lbl, svg text.val { font-size: 11px; fill: #333; }
svg line.grid { stroke: #ddd; } svg rect.band { fill: #4f9d69; opacity: 0.15; }
svg polyline.mark { stroke-width: 2; }
table.mql-list { border-collapse: collapse; font-size: 12px; width: 100%; }
table.mql-list th, table.mql-list td { border-bottom: 1px solid #eee; padding: 3px 6px;
  text-align: left; }
"""

# Marks each chart section rendered (an <svg> holding at least one mark) so a browser test,
# or a reader's console, can tell a blank chart from a drawn one.
SCRIPT = """
(function () {
  var charts = document.querySelectorAll('section.chart');
  var drawn = 0;
  charts.forEach(function (section) {
    var ok = section.querySelectorAll('svg .mark').length > 0;
    section.setAttribute('data-rendered', ok ? 'true' : 'false');
    if (ok) { drawn += 1; }
  });
  document.documentElement.setAttribute('data-charts', drawn + '/' + charts.length);
})();
"""


def _page(model: str, as_of: str, generated: str, sections: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>lead_funnel report: {_esc(model)}</title><style>{STYLE}</style></head><body>"
        f'<h1>Lead funnel report</h1><p class="caption">Scoring model <b>{_esc(model)}</b>; '
        f"scored as of {_esc(as_of)}; generated {_esc(generated)}.</p>"
        + "".join(sections)
        + f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_report(db_path: Path, out: Path, scoring_model: str | None = None) -> Path:
    """Write the report for `db_path` to `out` and return the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(db_path, scoring_model), encoding="utf-8")
    return out
