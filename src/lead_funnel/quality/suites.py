"""The expectation suites: what "good" raw files and "good" marts look like.

Raw suites are the input contract of README's "raw-data contract" written as expectations:
required columns, readable types, keys, allowed values and sane timestamps. Generated and real
exports carry some mess that staging quarantines (duplicates, unknown event types, unreadable
or future timestamps, negative spend), so value-level expectations allow a small share of bad
rows (`mostly`) while anything structural must hold exactly. Mart suites check what BI relies
on: rates within 0-1, cohort counts that never rise down the funnel, unique keys, and the
documented benchmark ranges (seed `benchmark_ranges`) as warnings naming their source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import great_expectations.expectations as gxe
import yaml

from lead_funnel import paths, schemas
from lead_funnel.stages import funnel_stages

# Share of rows that must pass a value-level raw expectation. The generator's default mess
# rate is 2%; a file where more than 5% of the values of a column break the contract points
# at a broken export rather than at ordinary mess.
RAW_MOSTLY = 0.95
# Keys may be null or duplicated only in that small share (exact duplicates are removed and
# conflicting ones resolved by staging).
KEY_MOSTLY = 0.99
MAX_DUPLICATE_KEY_SHARE = 0.05
# Timestamps before this are not plausible CRM or marketing data.
EARLIEST_PLAUSIBLE = datetime(2000, 1, 1)
TIMESTAMP_REGEX = r"^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*$"
DATE_REGEX = r"^\s*\d{4}-\d{2}-\d{2}\s*$"
NUMBER_REGEX = r"^\s*-?\d+(?:\.\d+)?\s*$"
BOOLEAN_VALUES = ["true", "false", "True", "False", "TRUE", "FALSE", "1", "0"]

CRITICAL = "critical"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class RawTableSpec:
    """How one raw table's text columns should read."""

    name: str
    key: str | None
    timestamps: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    numbers: tuple[tuple[str, float | None], ...] = ()
    enums: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    booleans: tuple[str, ...] = ()
    json_columns: tuple[str, ...] = ()
    country_columns: tuple[str, ...] = ()
    email_columns: tuple[str, ...] = ()
    must_have_rows: bool = False


# enums map a column to the seed (file under seeds/, first column) holding its allowed values,
# or to several seeds whose values are all allowed.
RAW_TABLES: tuple[RawTableSpec, ...] = (
    RawTableSpec(
        "accounts",
        key="account_id",
        timestamps=("created_at", "updated_at"),
        numbers=(("employee_count", 0), ("annual_revenue", 0)),
        country_columns=("country",),
    ),
    RawTableSpec(
        "leads",
        key="lead_id",
        timestamps=("created_at", "updated_at"),
        country_columns=("country",),
        email_columns=("email",),
        must_have_rows=True,
    ),
    RawTableSpec(
        "engagement_events",
        key="event_id",
        timestamps=("occurred_at",),
        enums={"event_type": "engagement_event_types"},
        json_columns=("properties",),
    ),
    RawTableSpec("sales_activities", key="activity_id", timestamps=("occurred_at",)),
    RawTableSpec(
        "lead_status_changes",
        key="change_id",
        timestamps=("changed_at",),
        # lifecycle statuses and the CRM spellings staging maps onto them
        enums={"status": ("lead_statuses", "crm_status_mapping")},
    ),
    RawTableSpec(
        "opportunities",
        key="opportunity_id",
        timestamps=("created_at", "closed_at"),
        numbers=(("amount", 0),),
        booleans=("is_won",),
    ),
    RawTableSpec("campaigns", key="campaign_id"),
    RawTableSpec("marketing_spend", key=None, dates=("spend_date",), numbers=(("amount", 0),)),
    RawTableSpec(
        "product_usage_events",
        key="event_id",
        timestamps=("occurred_at",),
        enums={"event_type": "product_usage_event_types"},
    ),
)


def raw_contract() -> dict[str, dict]:
    """Per raw table its required and optional columns (and the models that read it), from
    `vars.raw_contract` in dbt_project.yml.

    Read from the dbt project so the landing hook and this check can never disagree.
    """
    project = yaml.safe_load((paths.project_dir() / "dbt_project.yml").read_text())
    return project["vars"]["raw_contract"]


def seed_values(seed: str) -> list[str]:
    """The first column of a seed CSV: the allowed values of an enum.

    Seed crm_status_mapping gives its source_status spellings that mean a lifecycle status, as
    written, lower- and upper-cased (staging matches them ignoring case and surrounding
    blanks); a spelling without a lifecycle status is not an accepted value.
    """
    matches = sorted(paths.project_dir().glob(f"seeds/**/{seed}.csv"))
    with matches[0].open(newline="") as handle:
        if seed == "crm_status_mapping":
            spellings = [
                row["source_status"].strip()
                for row in csv.DictReader(handle)
                if row["lifecycle_status"].strip()
            ]
            return list(dict.fromkeys(v for s in spellings for v in (s, s.lower(), s.upper())))
        return [row[0] for row in list(csv.reader(handle))[1:] if row]


def benchmark_ranges() -> list[dict[str, str]]:
    """Rows of seed benchmark_ranges: metric, documented range and its source."""
    path = paths.project_dir() / "seeds" / "benchmark_ranges.csv"
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _meta(severity: str, **extra: object) -> dict:
    return {"severity": severity, **extra}


def raw_suite(spec: RawTableSpec, required: list[str], now: datetime) -> list:
    """Expectations for one raw table (row level; run on the whole file or on a sample)."""
    latest_plausible = now + timedelta(days=1)
    exps: list = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=required,
            exact_match=False,
            meta=_meta(CRITICAL, why="README raw-data contract: required columns"),
        )
    ]
    if spec.must_have_rows:
        exps.append(
            gxe.ExpectTableRowCountToBeBetween(
                min_value=1, meta=_meta(CRITICAL, why="no leads, no funnel")
            )
        )
    if spec.key:
        exps.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=spec.key, mostly=KEY_MOSTLY, meta=_meta(CRITICAL, why="primary key")
            )
        )
    for column in spec.timestamps:
        exps += [
            gxe.ExpectColumnValuesToMatchRegex(
                column=column,
                regex=TIMESTAMP_REGEX,
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why="timestamps are UTC 'YYYY-MM-DD HH:MM:SS'"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=f"{column}__parsed",
                min_value=EARLIEST_PLAUSIBLE,
                max_value=latest_plausible,
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why="timestamp sanity: after 2000, not in the future"),
            ),
        ]
    for column in spec.dates:
        exps.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=column,
                regex=DATE_REGEX,
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why="dates are 'YYYY-MM-DD'"),
            )
        )
    for column, minimum in spec.numbers:
        exps.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=column,
                regex=NUMBER_REGEX,
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why="numbers are plain decimals"),
            )
        )
        if minimum is not None:
            exps.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=f"{column}__number",
                    min_value=minimum,
                    mostly=RAW_MOSTLY,
                    meta=_meta(CRITICAL, why="amounts and counts are not negative"),
                )
            )
    for column, seeds in spec.enums.items():
        seeds = (seeds,) if isinstance(seeds, str) else seeds
        exps.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=column,
                value_set=[value for seed in seeds for value in seed_values(seed)],
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why=f"allowed values: seed {' or '.join(seeds)}"),
            )
        )
    for column in spec.booleans:
        exps.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=column,
                value_set=BOOLEAN_VALUES,
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why="booleans are true/false"),
            )
        )
    for column in spec.json_columns:
        exps.append(
            gxe.ExpectColumnValuesToBeJsonParseable(
                column=column, mostly=RAW_MOSTLY, meta=_meta(CRITICAL, why="properties is JSON")
            )
        )
    for column in spec.country_columns:
        exps.append(
            gxe.ExpectColumnValueLengthsToEqual(
                column=column,
                value=2,
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why="ISO-3166 alpha-2 country codes"),
            )
        )
    for column in spec.email_columns:
        exps += [
            gxe.ExpectColumnValuesToNotBeNull(
                column=column, mostly=RAW_MOSTLY, meta=_meta(CRITICAL, why="leads have an email")
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column=column,
                regex=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$",
                mostly=RAW_MOSTLY,
                meta=_meta(CRITICAL, why="an email address"),
            ),
        ]
    return exps


def raw_profile_suite(present_keys: list[tuple[str, str]]) -> list:
    """Key null and duplicate shares over each whole raw table (computed in SQL, never sampled)."""
    exps: list = []
    for table, _key in present_keys:
        exps += [
            gxe.ExpectColumnValuesToBeBetween(
                column=f"{table}__duplicate_key_share",
                min_value=0,
                max_value=MAX_DUPLICATE_KEY_SHARE,
                meta=_meta(CRITICAL, why="keys are unique but for a little mess staging resolves"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=f"{table}__null_key_share",
                min_value=0,
                max_value=1 - KEY_MOSTLY,
                meta=_meta(CRITICAL, why="keys are present"),
            ),
        ]
    return exps


RATE_BOUNDS = {"min_value": 0, "max_value": 1}


def _rates(columns: list[str], why: str) -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(column=c, **RATE_BOUNDS, meta=_meta(CRITICAL, why=why))
        for c in columns
    ]


def _key(column: str) -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column=column, meta=_meta(CRITICAL, why="key")),
        gxe.ExpectColumnValuesToBeUnique(column=column, meta=_meta(CRITICAL, why="key")),
    ]


def funnel_count_columns() -> list[str]:
    """The funnel's count columns of the cohort frame, in funnel order (seed lifecycle_stages).

    A funnel stage with a count_column (leads, mqls, sals, sqls, opportunities, wins as
    shipped) is checked on that column of rpt_funnel_conversion; a stage without one (added
    to the seed since) on its stage_counts entry, which the frame exposes as stage_<stage>.
    """
    return [stage.count_column or f"stage_{stage.stage}" for stage in funnel_stages()]


def funnel_cohort_frame_sql() -> str:
    """The cohort views of rpt_funnel_conversion, with uncolumned funnel stages as columns."""
    extra = "".join(
        f", stage_counts['{stage.stage}'] as stage_{stage.stage}"
        for stage in funnel_stages()
        if not stage.count_column
    )
    return (
        "select * exclude (stage_counts, stage_counts_in_window)"
        f"{extra} from {schemas.table('marts', 'rpt_funnel_conversion')}"
        " where view_type <> 'period'"
    )


@dataclass(frozen=True)
class MartExtract:
    """One frame cut from the marts for a suite: its SQL and its expectations."""

    name: str
    sql: str
    expectations: list
    notes: str = ""


def mart_extracts() -> list[MartExtract]:
    """The mart suites and the SQL of the frames they validate."""
    conversion_rates = [
        "lead_to_mql_rate",
        "mql_to_sal_rate",
        "mql_to_sql_rate",
        "sql_to_opportunity_rate",
        "opportunity_to_won_rate",
        "mql_to_won_rate",
        "lead_to_mql_rate_in_window",
        "mql_to_sql_rate_in_window",
        "mql_to_won_rate_in_window",
    ]
    funnel_order = funnel_count_columns()
    monotone = [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=upper,
            column_B=lower,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta(CRITICAL, why="cohort counts never rise down the funnel"),
        )
        for upper, lower in zip(funnel_order, funnel_order[1:], strict=False)
    ]
    extracts = [
        MartExtract(
            "mart_funnel_conversion_cohorts",
            funnel_cohort_frame_sql(),
            _key("funnel_conversion_id")
            + _rates(conversion_rates, "a cohort conversion rate is a share")
            + monotone,
            notes="Cohort views only: period counts are not cohorts and may rise.",
        ),
        MartExtract(
            "mart_funnel_health",
            f"select * from {schemas.table('marts', 'rpt_funnel_health')}",
            _key("funnel_health_id")
            + _rates(["measured_rate"], "a rate is a share")
            + [
                gxe.ExpectColumnValuesToBeInSet(
                    column="status",
                    value_set=["below", "within", "above", "no_data"],
                    meta=_meta(CRITICAL, why="documented statuses"),
                )
            ],
        ),
        MartExtract(
            "mart_funnel_benchmarks",
            _benchmark_frame_sql(),
            benchmark_suite(),
            notes=(
                "One row per scoring model: its mature-cohort rates (rpt_funnel_health). Each"
                " documented range of seed benchmark_ranges is an expectation naming its source;"
                " a rate outside the preferred range is a warning, other sources are info: they"
                " describe the business, not broken data."
            ),
        ),
        MartExtract(
            "mart_speed_to_lead",
            f"select * from {schemas.table('marts', 'rpt_speed_to_lead')}",
            _key("speed_to_lead_id")
            + _rates(
                ["mql_to_sql_rate", "sla_compliance_rate", "business_sla_compliance_rate"],
                "a rate is a share",
            )
            + [
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="mql_cycles",
                    column_B="sqls",
                    or_equal=True,
                    meta=_meta(CRITICAL, why="SQLs are a subset of MQL cycles"),
                )
            ],
        ),
        MartExtract(
            "mart_sales_acceptance",
            f"select * from {schemas.table('marts', 'rpt_sales_acceptance')}",
            _key("sales_acceptance_id")
            + _rates(
                ["acceptance_rate", "rejection_rate", "share_of_rejections", "re_mql_rate"],
                "a rate is a share",
            ),
        ),
        MartExtract(
            "mart_cost_per_stage",
            f"select * from {schemas.table('marts', 'rpt_cost_per_stage')}",
            _key("cost_per_stage_id")
            + [
                gxe.ExpectColumnValuesToBeBetween(
                    column=c, min_value=0, meta=_meta(CRITICAL, why="spend and costs >= 0")
                )
                for c in ("spend", "cost_per_lead", "cost_per_mql", "cost_per_sql")
            ],
        ),
        MartExtract(
            "mart_mql_cycles",
            "select mql_cycle_id, lead_id, scoring_model, marketing_qualified_at,"
            " sales_qualified_at, closed_won_at, mql_trigger"
            f" from {schemas.table('marts', 'fct_mql_cycles')}",
            _key("mql_cycle_id")
            + [
                gxe.ExpectColumnValuesToNotBeNull(
                    column=c, meta=_meta(CRITICAL, why="every cycle has a lead and a start")
                )
                for c in ("lead_id", "marketing_qualified_at")
            ]
            + [
                gxe.ExpectColumnValuesToBeInSet(
                    column="mql_trigger",
                    value_set=["threshold", "fast_track", "crm", "inferred"],
                    meta=_meta(CRITICAL, why="documented triggers"),
                )
            ],
        ),
        MartExtract(
            "mart_dim_leads",
            "select lead_id, survivor_lead_id, current_stage"
            f" from {schemas.table('marts', 'dim_leads')}",
            _key("lead_id")
            + [
                gxe.ExpectColumnValuesToNotBeNull(
                    column="survivor_lead_id", meta=_meta(CRITICAL, why="merges resolve")
                ),
                gxe.ExpectColumnValuesToBeInSet(
                    column="current_stage",
                    value_set=seed_values("lifecycle_stages"),
                    meta=_meta(CRITICAL, why="stages of seed lifecycle_stages"),
                ),
            ],
        ),
    ]
    return extracts


def _benchmark_metrics() -> list[str]:
    return sorted({row["metric"] for row in benchmark_ranges()})


def _benchmark_frame_sql() -> str:
    """One row per scoring model with one column per benchmarked metric (mature cohorts)."""
    columns = ",\n    ".join(
        f"max(case when metric = '{metric}' then measured_rate end) as {metric}"
        for metric in _benchmark_metrics()
    )
    return (
        f"select\n    scoring_model,\n    {columns}\n"
        f"from {schemas.table('marts', 'rpt_funnel_health')}\n"
        "group by scoring_model\norder by scoring_model"
    )


def benchmark_suite() -> list:
    """Each documented range as an expectation on its metric, naming the source in `meta`."""
    exps: list = []
    for row in benchmark_ranges():
        low = float(row["range_low"]) if row["range_low"] else None
        high = float(row["range_high"]) if row["range_high"] else None
        preferred = row["is_preferred"].strip().lower() == "true"
        exps.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=row["metric"],
                min_value=low,
                max_value=high,
                meta=_meta(
                    WARNING if preferred else INFO,
                    source_file=row["source_file"],
                    source_name=row["source_name"],
                    is_preferred=preferred,
                    diagnosis_below=row["diagnosis_below"],
                    diagnosis_above=row["diagnosis_above"],
                ),
            )
        )
    return exps


def raw_keys() -> list[tuple[str, str]]:
    """(table, key column) of every raw table that has a key."""
    return [(spec.name, spec.key) for spec in RAW_TABLES if spec.key]
