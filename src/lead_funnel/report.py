"""`lead-funnel report`: one self-contained HTML file with the funnel's charts.

The charts are plotly figures (lead_funnel.report_charts) computed for every scoring model
and period; plotly.js is inlined once, so the file opens offline and loads nothing from the
network. A little inline script switches the figures (`Plotly.react`) when the reader picks
another scoring model or period, and sorts the MQL work list by a clicked column.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import plotly.io as pio
import plotly.offline

from lead_funnel import paths, schemas
from lead_funnel.report_charts import (
    CHARTS,
    PERIODS,
    Context,
    NotBuilt,
    require,
    rows,
    table_exists,
)
from lead_funnel.warehouse import connect_for_reading

MQL_LIST_LIMIT = 500
#: (key, header, kind): kind "num" sorts numerically, "text" as text.
MQL_COLUMNS = (
    ("lead_id", "Lead", "text"),
    ("account", "Account", "text"),
    ("owner_id", "Owner", "text"),
    ("queue", "Queue", "text"),
    ("sla_status", "SLA status", "text"),
    ("sla_due_at", "SLA due (UTC)", "text"),
    ("days_since_mql", "Days since MQL", "num"),
    ("score_at_mql", "Score at MQL", "num"),
    ("score_now", "Score now", "num"),
    ("trigger_actions", "Trigger actions", "text"),
)


def default_report_path() -> Path:
    """reports/lead_funnel_report.html under the project (git-ignored)."""
    return paths.project_dir() / "reports" / "lead_funnel_report.html"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _scoring_models(con: duckdb.DuckDBPyConnection) -> tuple[list[str], str]:
    """Every scored model (the seed's default first) and the default."""
    scored = [
        r[0]
        for r in con.execute(
            f"select distinct scoring_model from {schemas.table('marts', 'fct_lead_scores')}"
            " order by scoring_model"
        ).fetchall()
    ]
    default = None
    if table_exists(con, "seeds", "scoring_models"):
        row = con.execute(
            f"select scoring_model from {schemas.table('seeds', 'scoring_models')}"
            " where is_default order by scoring_model limit 1"
        ).fetchone()
        default = row[0] if row else None
    default = default or (scored[0] if scored else "default")
    return [default] + [m for m in scored if m != default], default


def _latest_month(con: duckdb.DuckDBPyConnection) -> date | None:
    as_of = con.execute(
        f"select max(scored_as_of) from {schemas.table('marts', 'fct_lead_scores')}"
    ).fetchone()[0]
    return None if as_of is None else date(as_of.year, as_of.month, 1)


def mql_work_list(ctx: Context) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """Per scoring model: the leads whose latest MQL cycle is still open (no stage entered
    after MQL, no next cycle), newest first, with their hand-off and scores. No personal data:
    lead, account and owner ids, the company's name, and event types."""
    require(ctx, "fct_mql_cycles", "fct_mql_handoffs", "fct_lead_scores", "dim_leads")
    accounts = table_exists(ctx.con, "marts", "dim_accounts")
    account_join = (
        f"left join {schemas.table('marts', 'dim_accounts')} as accounts"
        " on accounts.account_id = coalesce(handoffs.account_id, leads.account_id)"
        if accounts
        else ""
    )
    account_name = "accounts.account_name" if accounts else "null"
    found = rows(
        ctx.con,
        f"""
        with cycles as (
            select
                *,
                row_number() over (
                    partition by scoring_model, lead_id order by cycle_number desc
                ) as cycle_rank
            from {schemas.table("marts", "fct_mql_cycles")}
        ),

        open_cycles as (
            select *
            from cycles
            where cycle_rank = 1
                and next_cycle_started_at is null
                and len(list_filter(
                    map_entries(stage_entered_at), e -> e.key <> 'mql' and e.value is not null
                )) = 0
        ),

        listed as (
            select
                open_cycles.scoring_model,
                open_cycles.lead_id,
                coalesce(handoffs.account_id, leads.account_id) as account_id,
                {account_name} as account_name,
                handoffs.owner_id,
                handoffs.queue,
                handoffs.sla_status,
                strftime(handoffs.sla_due_at, '%Y-%m-%d %H:%M') as sla_due_at,
                round(
                    (epoch(scores.scored_as_of) - epoch(open_cycles.marketing_qualified_at))
                    / 86400, 1
                ) as days_since_mql,
                round(coalesce(handoffs.score_at_mql, open_cycles.score_at_mql), 1)
                    as score_at_mql,
                round(scores.lead_score, 1) as score_now,
                array_to_string(handoffs.trigger_actions, ', ') as trigger_actions,
                row_number() over (
                    partition by open_cycles.scoring_model
                    order by open_cycles.marketing_qualified_at desc, open_cycles.lead_id
                ) as list_rank,
                count(*) over (partition by open_cycles.scoring_model) as total
            from open_cycles
            left join {schemas.table("marts", "fct_mql_handoffs")} as handoffs
                on open_cycles.mql_cycle_id = handoffs.mql_cycle_id
                and open_cycles.scoring_model = handoffs.scoring_model
            left join {schemas.table("marts", "fct_lead_scores")} as scores
                on open_cycles.lead_id = scores.lead_id
                and open_cycles.scoring_model = scores.scoring_model
            left join {schemas.table("marts", "dim_leads")} as leads
                on open_cycles.lead_id = leads.lead_id
            {account_join}
        )

        select *
        from listed
        where list_rank <= {MQL_LIST_LIMIT}
        order by scoring_model, list_rank
        """,
    )
    lists: dict[str, list[dict]] = {model: [] for model in ctx.models}
    totals: dict[str, int] = dict.fromkeys(ctx.models, 0)
    for row in found:
        totals[row["scoring_model"]] = row["total"]
        account = " ".join(str(v) for v in (row["account_id"], row["account_name"]) if v)
        row["account"] = account
        lists.setdefault(row["scoring_model"], []).append(
            {key: row[key] for key, _, _ in MQL_COLUMNS}
        )
    return lists, totals


def _mql_count(totals: dict[str, int], model: str) -> str:
    total = totals.get(model, 0)
    shown = f"; the newest {MQL_LIST_LIMIT:,} shown" if total > MQL_LIST_LIMIT else ""
    return f"{total:,} current MQLs under {model}{shown}"


def _cell(value: Any) -> str:
    return "" if value is None else _esc(value)


def _mql_table(lists: dict[str, list[dict]], model: str) -> str:
    header = "".join(
        f'<th data-key="{key}" data-kind="{kind}" aria-sort="none" tabindex="0">{_esc(title)}</th>'
        for key, title, kind in MQL_COLUMNS
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row[key])}</td>" for key, _, _ in MQL_COLUMNS) + "</tr>"
        for row in lists.get(model, [])
    )
    return (
        f'<div class="scroll"><table class="mql-list" id="mql-list"><thead><tr>{header}</tr>'
        f"</thead><tbody>{body}</tbody></table></div>"
    )


def _section(chart_id: str, title: str, caption: str, body: str, *, cls: str = "chart") -> str:
    return (
        f'<section class="{cls}" data-chart="{_esc(chart_id)}"><h2>{_esc(title)}</h2>'
        f'<p class="caption">{_esc(caption)}</p>{body}</section>'
    )


def _not_built(chart_id: str, title: str, table: str) -> str:
    name = table.split(".")[-1]
    return _section(
        chart_id,
        title,
        f"Not built: {table} is not in this warehouse. Build it with "
        f"`lead-funnel build --select {name}` to see this chart.",
        "",
        cls="note",
    )


def _json_for_script(value: Any) -> str:
    """JSON safe inside <script>: no `</` can close the element."""
    text = pio.json.to_json_plotly(value)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def build_report(db_path: Path, scoring_model: str | None = None) -> str:
    """The report's HTML, opening on one scoring model (default: the seed's default model);
    every scored model is embedded and can be picked in the page."""
    with connect_for_reading(db_path) as con:
        models, default = _scoring_models(con)
        model = scoring_model or default
        if model not in models:
            models.insert(0, model)
        ctx = Context(con, models, _latest_month(con))
        figures: dict[str, dict] = {}
        sections: list[str] = []
        for chart_id, title, make in CHARTS:
            try:
                chart = make(ctx)
            except NotBuilt as missing:
                sections.append(_not_built(chart_id, title, str(missing)))
                continue
            figures[chart_id] = chart.figures
            scope = "period filter applies" if chart.uses_period else "all cohorts"
            sections.append(
                _section(
                    chart_id,
                    title,
                    f"{chart.caption} [{scope}]",
                    f'<div class="plot" id="plot-{chart_id}" data-chart="{chart_id}"></div>',
                )
            )
        try:
            lists, totals = mql_work_list(ctx)
        except NotBuilt as missing:
            lists, totals = {}, {}
            sections.append(_not_built("mql_list", "Current MQLs", str(missing)))
        else:
            sections.append(
                _section(
                    "mql_list",
                    "Current MQLs",
                    "Leads whose latest MQL cycle is still open (no stage entered since they "
                    "qualified), newest first: owner, queue and SLA from the hand-off "
                    "(fct_mql_handoffs), days since MQL at the scoring date, score at MQL and "
                    f"now (fct_lead_scores). At most {MQL_LIST_LIMIT} per scoring model. "
                    "Click a header to sort.",
                    f'<p class="count" id="mql-count">{_mql_count(totals, model)}</p>'
                    + _mql_table(lists, model),
                    cls="table",
                )
            )
        as_of = con.execute(
            f"select max(scored_as_of) from {schemas.table('marts', 'fct_lead_scores')}"
            " where scoring_model = ?",
            [model],
        ).fetchone()[0]
    data = {
        "models": models,
        "model": model,
        "periods": [{"key": key, "label": label} for key, label, _ in PERIODS],
        "period_start": {
            k: (None if v is None else f"{v:%Y-%m}") for k, v in ctx.period_start.items()
        },
        "figures": figures,
        "mql_lists": lists,
        "mql_counts": {m: _mql_count(totals, m) for m in models},
        "mql_columns": [key for key, _, _ in MQL_COLUMNS],
        "template": pio.templates["plotly_white"].to_plotly_json(),
    }
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return _page(model, models, str(as_of), generated, sections, data)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222;
  padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-bottom: 2px; }
.caption { color: #555; font-size: 13px; margin-top: 2px; }
.controls { position: sticky; top: 0; background: #fff; padding: 8px 0; z-index: 10;
  border-bottom: 1px solid #ddd; font-size: 14px; }
.controls label { margin-right: 18px; }
section { margin: 24px 0 32px; }
section.note .caption { color: #8a4b00; }
table.mql-list { border-collapse: collapse; font-size: 12px; width: 100%; }
table.mql-list th, table.mql-list td { border-bottom: 1px solid #eee; padding: 3px 6px;
  text-align: left; vertical-align: top; }
table.mql-list th { cursor: pointer; background: #f6f6f6; user-select: none;
  position: sticky; top: 0; }
div.scroll { max-height: 640px; overflow-y: auto; border: 1px solid #eee; }
table.mql-list th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.mql-list th[aria-sort="descending"]::after { content: " \\25BC"; }
"""

# Draws every figure of the picked scoring model and period, renders the MQL list, and sorts
# it by a clicked header. <html data-ready="true"> tells a test (or a reader) all are drawn.
SCRIPT = """
(function () {
  var R = JSON.parse(document.getElementById('report-data').textContent);
  var CONFIG = {displaylogo: false, responsive: true};
  var root = document.documentElement;
  var modelSelect = document.getElementById('scoring-model');
  var periodSelect = document.getElementById('period');
  var sortState = {key: null, dir: 1};

  function figure(chart, model, period) {
    var byModel = (R.figures[chart] || {})[model];
    if (!byModel) {
      return {data: [], layout: {height: 160, annotations: [{text: 'No data for ' + model,
        showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5}]}};
    }
    return byModel[period] || byModel.all;
  }

  function draw() {
    var model = modelSelect.value, period = periodSelect.value;
    root.setAttribute('data-ready', 'false');
    var drawing = Array.prototype.map.call(document.querySelectorAll('.plot'), function (div) {
      var f = figure(div.dataset.chart, model, period);
      var layout = Object.assign({}, f.layout, {template: R.template});
      return Plotly.react(div, f.data, layout, CONFIG);
    });
    renderList(model);
    Promise.all(drawing).then(function () {
      root.setAttribute('data-model', model);
      root.setAttribute('data-period', period);
      root.setAttribute('data-ready', 'true');
    });
  }

  function renderList(model) {
    var table = document.getElementById('mql-list');
    if (!table) { return; }
    var list = (R.mql_lists[model] || []).slice();
    if (sortState.key) {
      var kind = table.querySelector('th[data-key="' + sortState.key + '"]').dataset.kind;
      list.sort(function (a, b) {
        var x = a[sortState.key], y = b[sortState.key];
        if (x === null || x === undefined) { return 1; }
        if (y === null || y === undefined) { return -1; }
        var c = kind === 'num' ? x - y : String(x).localeCompare(String(y));
        return c * sortState.dir;
      });
    }
    var body = table.tBodies[0];
    body.textContent = '';
    list.forEach(function (row) {
      var tr = document.createElement('tr');
      R.mql_columns.forEach(function (key) {
        var td = document.createElement('td');
        td.textContent = row[key] === null || row[key] === undefined ? '' : row[key];
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.querySelectorAll('th').forEach(function (th) {
      var on = th.dataset.key === sortState.key;
      th.setAttribute('aria-sort', on ? (sortState.dir > 0 ? 'ascending' : 'descending')
        : 'none');
    });
    var count = document.getElementById('mql-count');
    if (count) { count.textContent = R.mql_counts[model] || ''; }
  }

  document.querySelectorAll('#mql-list th').forEach(function (th) {
    function sortBy() {
      sortState = {key: th.dataset.key,
        dir: sortState.key === th.dataset.key ? -sortState.dir : 1};
      renderList(modelSelect.value);
    }
    th.addEventListener('click', sortBy);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sortBy(); } });
  });
  modelSelect.addEventListener('change', draw);
  periodSelect.addEventListener('change', draw);
  draw();
})();
"""


def _page(
    model: str,
    models: list[str],
    as_of: str,
    generated: str,
    sections: list[str],
    data: dict,
) -> str:
    model_options = "".join(
        f'<option value="{_esc(m)}"{" selected" if m == model else ""}>{_esc(m)}</option>'
        for m in models
    )
    period_options = "".join(
        f'<option value="{_esc(key)}">{_esc(label)}</option>' for key, label, _ in PERIODS
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>lead_funnel report: {_esc(model)}</title><style>{STYLE}</style>"
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>"
        f'<h1>Lead funnel report</h1><p class="caption">Opened on scoring model '
        f"<b>{_esc(model)}</b>; scored as of {_esc(as_of)}; generated {_esc(generated)}. "
        "Months of a period count back from the scoring month.</p>"
        '<div class="controls"><label>Scoring model <select id="scoring-model">'
        f'{model_options}</select></label><label>Period <select id="period">{period_options}'
        "</select></label></div>"
        + "".join(sections)
        + f'<script type="application/json" id="report-data">{_json_for_script(data)}</script>'
        + f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_report(db_path: Path, out: Path, scoring_model: str | None = None) -> Path:
    """Write the report for `db_path` to `out` and return the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(db_path, scoring_model), encoding="utf-8")
    return out
