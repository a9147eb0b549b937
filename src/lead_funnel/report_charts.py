"""The report's charts: plotly figures computed from the marts, one per scoring model and period.

Every chart is computed here for every scoring model and every period of PERIODS, so the page
switches between them with `Plotly.react` and computes nothing itself: the numbers a reader
sees are the numbers Python took from the marts. Periods are months counted back from the
latest scored month; a chart whose numbers do not add up across months (percentiles, the
threshold backtest) has one figure per model for all cohorts and says so in its caption.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lead_funnel import schemas
from lead_funnel.stages import funnel_stages

#: (key, label, months counted back from the latest month; None = all months)
PERIODS: tuple[tuple[str, str, int | None], ...] = (
    ("all", "All months", None),
    ("12", "Last 12 months", 12),
    ("6", "Last 6 months", 6),
    ("3", "Last 3 months", 3),
)
ALL = "all"
PALETTE = ("#3b6ea8", "#e07b39", "#4f9d69", "#b5485d", "#7a5ca8", "#8c8c3a")
#: The attribution model of the cost and revenue charts (rpt_channel_performance has six).
ATTRIBUTION_MODEL = "first_touch"
SLICE_DIMENSIONS = ("channel", "lead_source", "industry", "country")
BUCKET_LABELS = {
    "le_5_min": "5 min or less",
    "le_30_min": "5 to 30 min",
    "le_1_hour": "30 min to 1 hour",
    "le_24_hours": "1 to 24 hours",
    "gt_24_hours": "more than 24 hours",
    "never": "not touched",
}
STAGE_NAMES = {"first_touch": "first sales touch", "opportunity": "Opportunity", "won": "Won"}

Figure = dict[str, Any]
#: figures[scoring_model][period key]; a chart without periods has only the key ALL.
Figures = dict[str, dict[str, Figure]]


class NotBuilt(Exception):
    """A mart the chart reads is not in the warehouse."""


@dataclass
class Context:
    """What every chart needs: the connection, the scoring models and the period bounds."""

    con: duckdb.DuckDBPyConnection
    models: list[str]
    latest_month: date | None
    #: period key -> first month in it (None: no lower bound)
    period_start: dict[str, date | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, _, months in PERIODS:
            self.period_start[key] = (
                None
                if months is None or self.latest_month is None
                else _add_months(self.latest_month, 1 - months)
            )

    def in_period(self, month: date | None, period: str) -> bool:
        start = self.period_start[period]
        return start is None or (month is not None and month >= start)


@dataclass
class Chart:
    """One section's figures and its caption (plain text)."""

    figures: Figures
    caption: str
    uses_period: bool


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def table_exists(con: duckdb.DuckDBPyConnection, layer: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schemas.schema(layer), name],
        ).fetchone()[0]
    )


def require(ctx: Context, *names: str) -> None:
    """Raise NotBuilt naming the first missing mart."""
    for name in names:
        if not table_exists(ctx.con, "marts", name):
            raise NotBuilt(schemas.table("marts", name))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
    """The query's rows as dicts (decimals as floats)."""
    result = con.execute(sql, list(params))
    names = [d[0] for d in result.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in result.fetchall()]


def _month(value: Any) -> date | None:
    if value is None:
        return None
    return date(value.year, value.month, 1)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _sum(items: Iterable[dict], key: str) -> float:
    return sum(float(item[key] or 0) for item in items)


def to_json(fig: go.Figure) -> Figure:
    """data and layout of `fig` without the template (the page holds one for all)."""
    spec = fig.to_plotly_json()
    spec["layout"].pop("template", None)
    return {"data": spec["data"], "layout": spec["layout"]}


def _layout(fig: go.Figure, title: str = "", height: int = 380, **extra: Any) -> go.Figure:
    margin = {"l": 10, "r": 20, "t": 60 if title else 30, "b": 40} | extra.pop("margin", {})
    fig.update_layout(
        title={"text": title, "font": {"size": 13}, "x": 0, "xanchor": "left"},
        height=height,
        margin=margin,
        legend={"orientation": "h", "y": -0.15, "x": 0},
        colorway=list(PALETTE),
        **extra,
    )
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def _per_model_and_period(
    ctx: Context, build: Callable[[str, str], go.Figure], *, periods: bool = True
) -> Figures:
    keys = [key for key, _, _ in PERIODS] if periods else [ALL]
    return {model: {key: to_json(build(model, key)) for key in keys} for model in ctx.models}


# --- funnel -----------------------------------------------------------------------------------


def funnel_rows(ctx: Context) -> list[dict]:
    """rpt_funnel_conversion's whole-funnel cohort rows (slice 'all')."""
    require(ctx, "rpt_funnel_conversion")
    found = rows(
        ctx.con,
        f"""
        select *
        from {schemas.table("marts", "rpt_funnel_conversion")}
        where slice_dimension = 'all'
        order by period_month
        """,
    )
    for row in found:
        row["month"] = _month(row["period_month"])
    return found


def _stage_count(row: dict, stage: Any) -> float:
    if stage.count_column and stage.count_column in row:
        return float(row[stage.count_column] or 0)
    return float((row.get("stage_counts") or {}).get(stage.stage) or 0)


def funnel_counts(ctx: Context, found: list[dict], model: str, period: str) -> list[dict]:
    """Per funnel stage: label, count, and the conversion from the bar above (as text)."""
    lead_rows = [
        r
        for r in found
        if r["scoring_model"] == model
        and r["view_type"] == "lead_cohort"
        and ctx.in_period(r["month"], period)
    ]
    mql_rows = [
        r
        for r in found
        if r["scoring_model"] == model
        and r["view_type"] == "mql_cohort"
        and ctx.in_period(r["month"], period)
    ]
    bars: list[dict] = []
    for stage in funnel_stages():
        if stage.cycle_role == "lead":
            count = sum(_stage_count(r, stage) for r in lead_rows)
            bars.append({"label": stage.label, "count": count, "text": f"{count:,.0f}"})
            continue
        count = sum(_stage_count(r, stage) for r in mql_rows)
        if stage.cycle_role == "start":
            leads = _sum(lead_rows, "leads")
            became = _sum(lead_rows, "mqls")
            label = "MQL cycles"
            text = f"{count:,.0f}; {_pct(_ratio(became, leads))} of leads qualified"
        else:
            previous = bars[-1]
            label = f"{stage.label} (of MQL cycles)"
            text = f"{count:,.0f}; {_pct(_ratio(count, previous['count']))} of the above"
        bars.append({"label": label, "count": count, "text": text})
    return bars


def funnel_chart(ctx: Context) -> Chart:
    found = funnel_rows(ctx)

    def build(model: str, period: str) -> go.Figure:
        bars = funnel_counts(ctx, found, model, period)
        fig = go.Figure(
            go.Funnel(
                y=[b["label"] for b in bars],
                x=[b["count"] for b in bars],
                text=[b["text"] for b in bars],
                textinfo="text",
                textposition="outside",
                marker={"color": PALETTE[0]},
                connector={"line": {"color": "#bbb"}},
                hovertemplate="%{y}: %{x:,}<extra></extra>",
            )
        )
        return _layout(fig, height=360, margin={"l": 10, "r": 260, "t": 30, "b": 30})

    return Chart(
        _per_model_and_period(ctx, build),
        "The first bar counts leads (lead cohorts: leads created in the period); every other "
        "bar counts MQL cycles (MQL cohorts: cycles that qualified in the period; a lead "
        "qualifying again after recycling starts a new cycle) that reached the stage, with the "
        "conversion from the bar above (rpt_funnel_conversion).",
        uses_period=True,
    )


# --- monthly trend ----------------------------------------------------------------------------


def trend_chart(ctx: Context) -> Chart:
    found = [r for r in funnel_rows(ctx) if r["view_type"] == "period"]
    top = (("leads", "Leads"), ("mqls", "MQLs"))
    bottom = (("sqls", "SQLs"), ("opportunities", "Opportunities"), ("wins", "Wins"))

    def build(model: str, period: str) -> go.Figure:
        months = [
            r for r in found if r["scoring_model"] == model and ctx.in_period(r["month"], period)
        ]
        x = [f"{r['month']:%Y-%m-%d}" for r in months]
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
        for i, (column, name) in enumerate(top + bottom):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=[r[column] or 0 for r in months],
                    name=name,
                    mode="lines+markers",
                    line={"color": PALETTE[i]},
                    hovertemplate=f"{name} %{{x|%Y-%m}}: %{{y:,}}<extra></extra>",
                ),
                row=1 if i < len(top) else 2,
                col=1,
            )
        fig.update_xaxes(tickformat="%Y-%m", dtick="M1" if len(x) <= 6 else "M3")
        fig.update_yaxes(title_text="per month", rangemode="tozero")
        return _layout(fig, height=420)

    return Chart(
        _per_model_and_period(ctx, build),
        "Stage entries by calendar month (the period view of rpt_funnel_conversion): leads "
        "created and MQLs on top; SQLs, opportunities and wins below, on their own axis.",
        uses_period=True,
    )


# --- MQL->SQL by cohort against the benchmark ---------------------------------------------------


def benchmark_band(ctx: Context, metric: str) -> dict | None:
    """The preferred benchmark range of `metric` in seed benchmark_ranges, with its source."""
    if not table_exists(ctx.con, "seeds", "benchmark_ranges"):
        return None
    found = rows(
        ctx.con,
        f"""
        select range_low, range_high, source_name
        from {schemas.table("seeds", "benchmark_ranges")}
        where metric = ? and is_preferred
        order by source_file, range_low, range_high
        limit 1
        """,
        [metric],
    )
    return found[0] if found else None


def cohort_chart(ctx: Context) -> Chart:
    found = [r for r in funnel_rows(ctx) if r["view_type"] == "mql_cohort"]
    band = benchmark_band(ctx, "mql_to_sql_rate")
    window = next((r["conversion_window_days"] for r in found if r["conversion_window_days"]), None)

    def build(model: str, period: str) -> go.Figure:
        months = [
            r for r in found if r["scoring_model"] == model and ctx.in_period(r["month"], period)
        ]
        x = [f"{r['month']:%Y-%m-%d}" for r in months]
        fig = go.Figure()
        custom = [[r["mqls"], "immature" if r["is_cohort_immature"] else "mature"] for r in months]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[r["mql_to_sql_rate"] for r in months],
                customdata=custom,
                name="MQL->SQL (ever)",
                mode="lines+markers",
                line={"color": PALETTE[0]},
                hovertemplate="%{x|%Y-%m}: %{y:.1%} of %{customdata[0]:,} MQL cycles"
                " (%{customdata[1]})<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[r["mql_to_sql_rate_in_window"] for r in months],
                name=f"within {window} days" if window else "within the window",
                mode="lines",
                line={"color": PALETTE[1], "dash": "dot"},
                hovertemplate="%{x|%Y-%m}: %{y:.1%} within the window<extra></extra>",
            )
        )
        immature = [r for r in months if r["is_cohort_immature"]]
        fig.add_trace(
            go.Scatter(
                x=[f"{r['month']:%Y-%m-%d}" for r in immature],
                y=[r["mql_to_sql_rate"] for r in immature],
                name="immature cohort (may still rise)",
                mode="markers",
                marker={
                    "symbol": "circle-open",
                    "size": 13,
                    "color": PALETTE[3],
                    "line": {"width": 2},
                },
                hoverinfo="skip",
            )
        )
        if band:
            fig.add_hrect(
                y0=band["range_low"] or 0,
                y1=band["range_high"] if band["range_high"] is not None else 1,
                fillcolor=PALETTE[2],
                opacity=0.15,
                line_width=0,
                annotation_text=f"benchmark: {band['source_name']}",
                annotation_position="top left",
            )
        fig.update_yaxes(tickformat=".0%", rangemode="tozero", title_text="MQL->SQL")
        fig.update_xaxes(tickformat="%Y-%m")
        return _layout(fig, height=380)

    source = (
        f"Shaded: the MQL->SQL benchmark range {_pct(band['range_low'])} to "
        f"{_pct(band['range_high'])} from \u201c{band['source_name']}\u201d."
        if band
        else "No preferred MQL->SQL range in seed benchmark_ranges."
    )
    return Chart(
        _per_model_and_period(ctx, build),
        f"MQL cycles by the month they qualified, converted to SQL ever and within the "
        f"conversion window. {source} Hollow red circles: cohorts younger than the window, "
        "whose rate may still rise.",
        uses_period=True,
    )


# --- conversion by slice ----------------------------------------------------------------------


def slice_rows(ctx: Context) -> list[dict]:
    require(ctx, "rpt_funnel_conversion")
    found = rows(
        ctx.con,
        f"""
        select view_type, period_month, scoring_model, slice_dimension, slice_value,
            leads, mqls, sqls
        from {schemas.table("marts", "rpt_funnel_conversion")}
        where view_type in ('lead_cohort', 'mql_cohort') and slice_dimension <> 'all'
        """,
    )
    for row in found:
        row["month"] = _month(row["period_month"])
        row["slice_value"] = row["slice_value"] or "(unknown)"
    return found


def slice_rates(
    ctx: Context, found: list[dict], model: str, period: str, dimension: str
) -> list[dict]:
    """Per slice value: lead->MQL (lead cohorts) and MQL->SQL (MQL cohorts), by MQL->SQL."""
    values: dict[str, dict[str, float]] = {}
    for r in found:
        if (
            r["scoring_model"] != model
            or r["slice_dimension"] != dimension
            or not ctx.in_period(r["month"], period)
        ):
            continue
        acc = values.setdefault(
            r["slice_value"], {"leads": 0, "lead_mqls": 0, "mqls": 0, "sqls": 0}
        )
        if r["view_type"] == "lead_cohort":
            acc["leads"] += r["leads"] or 0
            acc["lead_mqls"] += r["mqls"] or 0
        else:
            acc["mqls"] += r["mqls"] or 0
            acc["sqls"] += r["sqls"] or 0
    result = [
        {
            "value": value,
            "lead_to_mql": _ratio(acc["lead_mqls"], acc["leads"]),
            "mql_to_sql": _ratio(acc["sqls"], acc["mqls"]),
            **acc,
        }
        for value, acc in values.items()
    ]
    return sorted(result, key=lambda s: (s["mql_to_sql"] or 0, s["value"]))


def slice_chart(ctx: Context) -> Chart:
    found = slice_rows(ctx)
    dimensions = [d for d in SLICE_DIMENSIONS if any(r["slice_dimension"] == d for r in found)]
    if not dimensions:
        dimensions = list(SLICE_DIMENSIONS)
    names = {d: d.replace("_", " ") for d in dimensions}
    most = max(
        (len({r["slice_value"] for r in found if r["slice_dimension"] == d}) for d in dimensions),
        default=1,
    )

    def build(model: str, period: str) -> go.Figure:
        cols = 2
        count = len(dimensions)
        rows_used = (count + cols - 1) // cols
        height = max(360, rows_used * (most * 28 + 110))
        fig = make_subplots(
            rows=rows_used,
            cols=cols,
            subplot_titles=[f"by {names[d]}" for d in dimensions],
            horizontal_spacing=0.22,
            vertical_spacing=min(0.3, 110 / height) if rows_used > 1 else 0,
        )
        for i, dimension in enumerate(dimensions):
            rates = slice_rates(ctx, found, model, period, dimension)
            labels = [s["value"] for s in rates]
            for j, (key, name, n_key) in enumerate(
                (("lead_to_mql", "Lead->MQL", "leads"), ("mql_to_sql", "MQL->SQL", "mqls"))
            ):
                fig.add_trace(
                    go.Bar(
                        y=labels,
                        x=[s[key] for s in rates],
                        customdata=[s[n_key] for s in rates],
                        orientation="h",
                        name=name,
                        legendgroup=name,
                        showlegend=i == 0,
                        marker={"color": PALETTE[j]},
                        text=[_pct(s[key]) for s in rates],
                        textposition="outside",
                        cliponaxis=False,
                        hovertemplate=f"%{{y}} {name}: %{{x:.1%}} of %{{customdata:,}} "
                        f"{'leads' if n_key == 'leads' else 'MQL cycles'}<extra></extra>",
                    ),
                    row=i // cols + 1,
                    col=i % cols + 1,
                )
        fig.update_xaxes(tickformat=".0%", rangemode="tozero")
        return _layout(fig, height=height, barmode="group")

    return Chart(
        _per_model_and_period(ctx, build),
        "Lead->MQL over lead cohorts and MQL->SQL over MQL cohorts for each value of a "
        "dimension (rpt_funnel_conversion slices), lowest MQL->SQL first.",
        uses_period=True,
    )


# --- velocity ---------------------------------------------------------------------------------


def stage_name(stage: str) -> str:
    """'mql' -> 'MQL', 'first_touch' -> 'first sales touch'."""
    if stage in STAGE_NAMES:
        return STAGE_NAMES[stage]
    if len(stage) <= 3:
        return stage.upper()
    return stage.replace("_", " ").capitalize()


def duration(hours: float | None) -> str:
    """Hours under a day, else days: '2.5 h', '29.7 days'."""
    if hours is None:
        return "n/a"
    return f"{hours:.1f} h" if hours < 24 else f"{hours / 24:,.1f} days"


def velocity_chart(ctx: Context) -> Chart:
    require(ctx, "rpt_stage_velocity")
    found = rows(
        ctx.con,
        f"""
        select scoring_model, from_stage, to_stage, stage_pair_order, n,
            median_hours, p75_hours, p90_hours
        from {schemas.table("marts", "rpt_stage_velocity")}
        where is_all_cohorts and slice_dimension = 'all'
        order by stage_pair_order
        """,
    )

    def build(model: str, period: str) -> go.Figure:
        pairs = [r for r in found if r["scoring_model"] == model]
        labels = [
            f"{stage_name(r['from_stage'])} \u2192 {stage_name(r['to_stage'])}" for r in pairs
        ]
        fig = go.Figure()
        for j, (column, name) in enumerate(
            (("median_hours", "median"), ("p75_hours", "75th percentile"), ("p90_hours", "90th"))
        ):
            hours = [r[column] for r in pairs]
            fig.add_trace(
                go.Bar(
                    y=labels,
                    x=[None if h is None else h / 24 for h in hours],
                    customdata=[r["n"] for r in pairs],
                    orientation="h",
                    name=name,
                    marker={"color": PALETTE[j]},
                    text=[duration(h) for h in hours],
                    textposition="outside",
                    cliponaxis=False,
                    hovertemplate=f"%{{y}} {name}: %{{x:.1f}} days (n=%{{customdata:,}})"
                    "<extra></extra>",
                )
            )
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(title_text="days", rangemode="tozero")
        return _layout(fig, height=120 + 60 * max(len(pairs), 1), barmode="group")

    return Chart(
        _per_model_and_period(ctx, build, periods=False),
        "Days between stages over all MQL cycles: median, 75th and 90th percentile; labels "
        "under a day are in hours (rpt_stage_velocity). All cohorts: percentiles do not add "
        "up across months, so the period filter does not apply.",
        uses_period=False,
    )


# --- speed to lead ----------------------------------------------------------------------------


def bucket_label(bucket: str) -> str:
    if bucket in BUCKET_LABELS:
        return BUCKET_LABELS[bucket]
    parts = bucket.split("_")
    if parts[0] in {"le", "gt"} and len(parts) == 3:
        return f"{'up to' if parts[0] == 'le' else 'more than'} {parts[1]} {parts[2]}"
    return bucket.replace("_", " ")


def speed_buckets(ctx: Context, found: list[dict], model: str, period: str) -> list[dict]:
    """Per response bucket (in order, 'all' left out): MQL cycles, SQLs and the rate."""
    buckets: dict[str, dict] = {}
    for r in found:
        if r["scoring_model"] != model or r["response_bucket"] == "all":
            continue
        if period == ALL:
            if not r["is_all_cohorts"]:
                continue
        elif r["is_all_cohorts"] or not ctx.in_period(r["month"], period):
            continue
        acc = buckets.setdefault(
            r["response_bucket"],
            {"bucket": r["response_bucket"], "order": r["response_bucket_order"], "n": 0, "s": 0},
        )
        acc["n"] += r["mql_cycles"] or 0
        acc["s"] += r["sqls"] or 0
    result = sorted(buckets.values(), key=lambda b: b["order"])
    for b in result:
        b["rate"] = _ratio(b["s"], b["n"])
        b["label"] = bucket_label(b["bucket"])
    return result


def speed_ratio(buckets: list[dict]) -> str:
    """'5 min or less converts 7.5 times as often as more than 24 hours (48.3% vs 6.4%)'."""
    touched = [b for b in buckets if b["bucket"] != "never" and b["n"]]
    if len(touched) < 2:
        return "Too few response buckets with MQL cycles to compare."
    fast, slow = touched[0], touched[-1]
    if not slow["rate"]:
        return f"{fast['label']} converts at {_pct(fast['rate'])}; {slow['label']} converted none."
    return (
        f"{fast['label'].capitalize()} converts {fast['rate'] / slow['rate']:.1f} times as often"
        f" as {slow['label']} ({_pct(fast['rate'])} vs {_pct(slow['rate'])} MQL->SQL)"
    )


def speed_chart(ctx: Context) -> Chart:
    require(ctx, "rpt_speed_to_lead")
    found = rows(
        ctx.con,
        f"""
        select scoring_model, period_month, is_all_cohorts, response_bucket,
            response_bucket_order, mql_cycles, sqls
        from {schemas.table("marts", "rpt_speed_to_lead")}
        """,
    )
    for row in found:
        row["month"] = _month(row["period_month"])

    def build(model: str, period: str) -> go.Figure:
        buckets = speed_buckets(ctx, found, model, period)
        fig = go.Figure(
            go.Bar(
                x=[b["label"] for b in buckets],
                y=[b["rate"] for b in buckets],
                customdata=[b["n"] for b in buckets],
                marker={"color": PALETTE[0]},
                text=[f"{_pct(b['rate'])} (n={b['n']:,})" for b in buckets],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{y:.1%} of %{customdata:,} MQL cycles<extra></extra>",
                name="MQL->SQL",
            )
        )
        fig.update_yaxes(tickformat=".0%", rangemode="tozero", title_text="MQL->SQL")
        fig.update_xaxes(title_text="time from MQL to the first sales touch")
        return _layout(fig, title=speed_ratio(buckets), height=380)

    return Chart(
        _per_model_and_period(ctx, build),
        "MQL->SQL rate of MQL cycles by the time from qualifying to the first sales touch, MQL "
        "cycles of the period (rpt_speed_to_lead); the title compares the fastest with the "
        "slowest touched bucket.",
        uses_period=True,
    )


# --- cost and value by channel ----------------------------------------------------------------

#: (column, title, denominator, text where the denominator is zero)
COST_METRICS = (
    ("cost_per_lead", "per lead", "leads", "no leads"),
    ("cost_per_mql", "per MQL", "mqls", "no MQLs"),
    ("cost_per_sql", "per SQL", "sqls", "no SQLs"),
    ("cost_per_opportunity", "per opportunity", "opportunities", "no opportunities"),
    ("cac", "per win (CAC)", "wins", "no wins"),
)
ADDITIVE = ("leads", "mqls", "sqls", "opportunities", "wins", "pipeline_amount", "won_revenue")


def channel_rows(ctx: Context) -> list[dict]:
    require(ctx, "rpt_channel_performance")
    found = rows(
        ctx.con,
        f"""
        select *
        from {schemas.table("marts", "rpt_channel_performance")}
        where attribution_model = ? and performance_level in ('channel', 'all')
        """,
        [ATTRIBUTION_MODEL],
    )
    for row in found:
        row["month"] = _month(row["month"])
    return found


def channel_totals(ctx: Context, found: list[dict], model: str, period: str) -> list[dict]:
    """Per channel ('all' last): the all-months row, or the period's months summed with cost
    per stage, cac and roi recomputed as the mart defines them."""
    if period == ALL:
        picked = [r for r in found if r["scoring_model"] == model and r["is_all_months"]]
    else:
        sums: dict[str, dict] = {}
        for r in found:
            if r["scoring_model"] != model or r["is_all_months"]:
                continue
            if not ctx.in_period(r["month"], period):
                continue
            acc = sums.setdefault(
                r["channel"],
                {"channel": r["channel"], "reporting_currency": r["reporting_currency"]}
                | dict.fromkeys(ADDITIVE, 0.0)
                | {"spend": None},
            )
            for key in ADDITIVE:
                acc[key] += float(r[key] or 0)
            if r["spend"] is not None:
                acc["spend"] = (acc["spend"] or 0.0) + float(r["spend"])
        picked = list(sums.values())
        for acc in picked:
            spend = acc["spend"] if acc["spend"] else None
            for column, _, denominator, _ in COST_METRICS:
                acc[column] = _ratio(spend, acc[denominator])
            acc["roi"] = None if spend is None else (acc["won_revenue"] - spend) / spend
    return sorted(picked, key=lambda r: (r["channel"] == "all", r["channel"]))


def _channel_label(channel: str) -> str:
    return "all channels" if channel == "all" else channel


def _currency(found: list[dict]) -> str:
    return next((r["reporting_currency"] for r in found if r["reporting_currency"]), "")


def _bars_by_channel(
    fig: go.Figure, channels: list[dict], column: str, col: int, fmt: Callable, empty: str
) -> None:
    values = [r[column] for r in channels]
    fig.add_trace(
        go.Bar(
            y=[_channel_label(r["channel"]) for r in channels],
            x=[0 if v is None else v for v in values],
            orientation="h",
            marker={
                "color": [PALETTE[3] if r["channel"] == "all" else PALETTE[0] for r in channels]
            },
            text=[empty if v is None else fmt(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            name=column,
            hovertemplate="%{y}: %{text}<extra></extra>",
        ),
        row=1,
        col=col,
    )


def cost_chart(ctx: Context) -> Chart:
    found = channel_rows(ctx)
    currency = _currency(found)

    def build(model: str, period: str) -> go.Figure:
        channels = [
            r for r in channel_totals(ctx, found, model, period) if (r.get("spend") or 0) > 0
        ]
        fig = make_subplots(
            rows=1,
            cols=len(COST_METRICS),
            shared_yaxes=True,
            subplot_titles=[f"{currency} {label}" for _, label, _, _ in COST_METRICS],
            horizontal_spacing=0.04,
        )
        for i, (column, _, _, empty) in enumerate(COST_METRICS):
            _bars_by_channel(fig, channels, column, i + 1, _money, empty)
            fig.update_xaxes(title_text=currency, row=1, col=i + 1, rangemode="tozero")
        fig.update_yaxes(autorange="reversed")
        fig.update_annotations(font_size=12)
        return _layout(fig, height=140 + 36 * max(len(channels), 1), margin={"r": 50, "t": 40})

    return Chart(
        _per_model_and_period(ctx, build),
        f"Spend per lead, MQL, SQL, opportunity and win of each channel with spend, "
        f"{ATTRIBUTION_MODEL.replace('_', '-')} attribution, in {currency} "
        "(rpt_channel_performance, channel level; 'all channels' is blended). Each stage has "
        "its own axis.",
        uses_period=True,
    )


def value_chart(ctx: Context) -> Chart:
    found = channel_rows(ctx)
    currency = _currency(found)
    metrics = (
        ("spend", f"spend ({currency})", _money, "no spend"),
        ("pipeline_amount", f"pipeline ({currency})", _money, "none"),
        ("won_revenue", f"won revenue ({currency})", _money, "none"),
        ("roi", "ROI", _pct, "no spend"),
    )

    def build(model: str, period: str) -> go.Figure:
        channels = channel_totals(ctx, found, model, period)
        fig = make_subplots(
            rows=1,
            cols=len(metrics),
            shared_yaxes=True,
            subplot_titles=[title for _, title, _, _ in metrics],
            horizontal_spacing=0.05,
        )
        for i, (column, _, fmt, empty) in enumerate(metrics):
            _bars_by_channel(fig, channels, column, i + 1, fmt, empty)
            fig.update_xaxes(
                title_text="(won revenue - spend) / spend" if column == "roi" else currency,
                tickformat=".0%" if column == "roi" else None,
                row=1,
                col=i + 1,
            )
        fig.update_yaxes(autorange="reversed")
        fig.update_annotations(font_size=12)
        return _layout(fig, height=140 + 36 * max(len(channels), 1), margin={"r": 50, "t": 40})

    return Chart(
        _per_model_and_period(ctx, build),
        f"Spend, attributed pipeline and won revenue in {currency}, and ROI, per channel "
        f"({ATTRIBUTION_MODEL.replace('_', '-')} attribution, rpt_channel_performance). "
        "'(none)': conversions without a touch; channels without spend have no ROI.",
        uses_period=True,
    )


# --- threshold calibration --------------------------------------------------------------------

CALIBRATION_TABLE = "rpt_threshold_calibration"


def calibration_chart(ctx: Context) -> Chart:
    require(ctx, CALIBRATION_TABLE)
    found = rows(
        ctx.con,
        f"""
        select *
        from {schemas.table("marts", CALIBRATION_TABLE)}
        where threshold is not null
        order by scoring_model, threshold
        """,
    )

    def build(model: str, period: str) -> go.Figure:
        sweep = [r for r in found if r["scoring_model"] == model]
        fig = go.Figure()
        if not sweep:
            fig.add_annotation(text=f"No calibration rows for {model}.", showarrow=False)
            return _layout(fig, height=200)
        first = sweep[0]
        x = [r["threshold"] for r in sweep]
        for j, (column, name) in enumerate(
            (
                ("mql_to_sql_rate", "MQL->SQL rate of would-be MQLs"),
                ("share_of_wins_captured", "share of wins captured"),
            )
        ):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=[r[column] for r in sweep],
                    customdata=[r["would_be_mqls"] for r in sweep],
                    name=name,
                    mode="lines+markers",
                    line={"color": PALETTE[j]},
                    hovertemplate=f"threshold %{{x}}: {name} %{{y:.1%}} "
                    "(%{customdata:,} would-be MQLs)<extra></extra>",
                )
            )
        low, high = first["target_mql_to_sql_low"], first["target_mql_to_sql_high"]
        if low is not None:
            fig.add_hrect(
                y0=low,
                y1=high if high is not None else 1,
                fillcolor=PALETTE[2],
                opacity=0.12,
                line_width=0,
                annotation_text="target MQL->SQL band",
                annotation_position="bottom right",
            )
        current = first["current_mql_threshold"]
        if current is not None:
            fig.add_vline(
                x=current,
                line={"color": "#333", "width": 2},
                annotation_text=f"current {current:g}",
                annotation_position="top left",
            )
        recommended = first["recommended_threshold"]
        if recommended is not None:
            fig.add_vline(
                x=recommended,
                line={"color": PALETTE[3], "width": 2, "dash": "dash"},
                annotation_text=f"recommended {recommended:g}",
                annotation_position="top right",
            )
        note = first["recommendation_note"] or ""
        auc = first["auc_sql"]
        title = f"AUC (SQL) {auc:.2f}. {note}" if auc is not None else note
        title = "<br>".join(textwrap.wrap(html.escape(title), 140))
        fig.update_xaxes(title_text="MQL threshold (score)", dtick=10)
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
        return _layout(fig, title=title, height=420, margin={"t": 90})

    return Chart(
        _per_model_and_period(ctx, build, periods=False),
        f"Backtest of each MQL threshold: the MQL->SQL rate of the leads that would have "
        f"qualified and the share of wins among them, with the current threshold (solid) and "
        f"the recommended one (dashed; the title carries the note when there is none) "
        f"({schemas.table('marts', CALIBRATION_TABLE)}). One backtest over all cohorts: the "
        "period filter does not apply.",
        uses_period=False,
    )


CHARTS: tuple[tuple[str, str, Callable[[Context], Chart]], ...] = (
    ("funnel", "Funnel", funnel_chart),
    ("trend", "Monthly trend", trend_chart),
    ("cohort_conversion", "MQL->SQL by MQL cohort", cohort_chart),
    ("conversion_by_slice", "Conversion by channel, lead source, industry, country", slice_chart),
    ("velocity", "Stage velocity", velocity_chart),
    ("speed_to_lead", "Conversion by speed to lead", speed_chart),
    ("cost_per_stage", "Cost per stage by channel", cost_chart),
    ("channel_value", "Pipeline, won revenue and ROI by channel", value_chart),
    ("calibration", "MQL threshold calibration", calibration_chart),
)
