"""The `lead-funnel` command: generate data, build the warehouse, check it, summarise, report."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from lead_funnel import paths
from lead_funnel.period import DEFAULT_PERIOD_DAYS, default_period

# The generated period of `lead-funnel bench`, pinned so its figures stay comparable.
BENCH_PERIOD = {"start_date": "2025-01-01", "end_date": "2026-09-30"}
# Days the simulation of `generate --daily` runs past the end date (see _cmd_generate).
DAILY_RUN_ON = 30


def _cmd_generate(args: argparse.Namespace) -> int:
    from lead_funnel.generator import generate

    start_date, end_date = default_period(args.start_date, args.end_date)
    out = Path(args.out)
    if args.daily is not None and args.daily < 1:
        print("lead-funnel generate: --daily needs at least 1 day", file=sys.stderr)
        return 2
    kwargs = dict(
        n_leads=args.leads,
        seed=args.seed,
        profile=args.profile,
        mess_rate=args.mess_rate,
        fmt=args.format,
        progress=not args.no_progress,
        start_date=start_date,
        end_date=end_date,
    )
    if args.daily is None:
        summary = generate(out_dir=out, **kwargs)
    else:
        summary = _generate_daily(out, args.daily, **kwargs)
    print(generation_table(summary, out))
    return 0


def generation_table(summary: dict, out: Path) -> str:
    """The generator's summary as a short table: rows and deliberately messy rows per table."""
    tables = summary.get("tables", {})
    width = max((len(name) for name in tables), default=5)
    lines = [
        f"Generated {summary['n_leads']:,} leads ({summary['profile']} profile, seed "
        f"{summary['seed']}, {summary['start_date']} to {summary['end_date']}, "
        f"{summary['format']}) in {out}",
        f"  {'table':<{width}}  {'rows':>11}  {'messy':>7}",
    ]
    for name, table in tables.items():
        messy = sum(table.get("mess", {}).values())
        lines.append(f"  {name:<{width}}  {table['rows']:>11,}  {messy:>7,}")
    if "daily" in summary:
        lines.append(f"  cut into daily loads, one file per table and day: {out / 'daily.json'}")
    else:
        lines.append(f"  messy rows by kind, and the ground truth: {out / 'ground_truth'}")
    return "\n".join(lines)


def _generate_daily(out: Path, days: int, **kwargs) -> dict:
    """`generate` cut into `days` daily loads under `out` (see generator/daily.py)."""
    import tempfile

    from lead_funnel.generator import generate
    from lead_funnel.generator.daily import split_daily

    # The simulation runs on past the end, so leads are created up to the last day (and
    # not only until 30 days before it); what happens after the end is not loaded.
    end_date = kwargs["end_date"]
    simulated_end = datetime.strptime(end_date, "%Y-%m-%d") + timedelta(days=DAILY_RUN_ON)
    kwargs["end_date"] = simulated_end.strftime("%Y-%m-%d")
    with tempfile.TemporaryDirectory(prefix="lead_funnel_daily_") as tmp:
        summary = generate(out_dir=Path(tmp) / "raw", **kwargs)
        summary["end_date"] = end_date
        summary["daily"] = split_daily(
            Path(tmp) / "raw", out, days, end_date, kwargs["seed"], DAILY_RUN_ON
        )
    return summary


def _in_child_process(function, *args, **kwargs):
    """`function(*args, **kwargs)` run in a new process, its result returned. The bench
    generates its data this way: at a million leads the generator holds about 10 GB until it
    returns, memory the bench's process would otherwise keep beside the builds it then times."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _cmd_build(args: argparse.Namespace) -> int:
    from lead_funnel.dbt_runner import DbtError, explain_resource_failure, run_dbt

    dbt_args = ["build"]
    if args.select:
        dbt_args += ["--select", args.select]
    dbt_vars = json.loads(args.vars) if args.vars else {}
    if args.allow_shrink:
        dbt_vars["allow_shrink"] = True
    raw_dir = Path(args.raw_dir) if args.raw_dir else paths.raw_dir()
    if not raw_dir.is_dir():
        print(f"lead-funnel build: raw folder {raw_dir} does not exist", file=sys.stderr)
        return 2
    try:
        run_dbt(
            dbt_args,
            raw_dir=raw_dir,
            duckdb_path=args.duckdb_path,
            dbt_vars=dbt_vars,
            progress=not args.verbose,
        )
    except DbtError as exc:
        explained = explain_resource_failure(exc.failed_nodes) or _explain_gate_failure(exc)
        print(f"lead-funnel build: {explained or exc}", file=sys.stderr)
        return 1
    db_path = Path(args.duckdb_path) if args.duckdb_path else paths.duckdb_path()
    print(f"Built {db_path} from {raw_dir}")
    return 0


def _cmd_load(args: argparse.Namespace) -> int:
    from lead_funnel.dbt_runner import DbtError
    from lead_funnel.load import load

    raw_dir = Path(args.raw_dir) if args.raw_dir else paths.raw_dir()
    if not raw_dir.is_dir():
        print(f"lead-funnel load: raw folder {raw_dir} does not exist", file=sys.stderr)
        return 2
    dbt_vars = json.loads(args.vars) if args.vars else {}
    try:
        counts = load(args.target, raw_dir, dbt_vars)
    except DbtError as exc:
        print(f"lead-funnel load: {exc}", file=sys.stderr)
        return 1
    tables = ", ".join(f"{table} {rows}" for table, rows in sorted(counts.items()))
    print(f"Loaded {raw_dir} into the {args.target} raw schema: {tables}")
    return 0


def _explain_gate_failure(exc: Exception) -> str | None:
    """The publish gates' own message when they stopped the build."""
    for name, message in getattr(exc, "failed_nodes", []):
        if name == "assert_publish_gates_pass" and "publish gate: " in message:
            reasons = message.split("publish gate: ", 1)[1].strip()
            return (
                f"not published: {reasons}. Nothing past the base models was replaced; "
                "the marts are those of the last published build."
            )
    return None


def _cmd_refresh(args: argparse.Namespace) -> int:
    from lead_funnel.refresh import refresh

    raw_dir = Path(args.raw_dir) if args.raw_dir else paths.raw_dir()
    outcome = refresh(
        raw_dir,
        published=Path(args.duckdb_path) if args.duckdb_path else None,
        dbt_vars=json.loads(args.vars) if args.vars else None,
        full_refresh=args.full_refresh,
        allow_shrink=args.allow_shrink,
        docs_dir=Path(args.docs_dir) if args.docs_dir else None,
        require_fresh=True if args.require_fresh else None,
    )
    if outcome.code:
        print(f"lead-funnel refresh: {outcome.message}", file=sys.stderr)
    return outcome.code


def _cmd_rollback(args: argparse.Namespace) -> int:
    from lead_funnel.refresh import rollback

    return rollback(Path(args.duckdb_path) if args.duckdb_path else None)


def _cmd_summary(args: argparse.Namespace) -> int:
    from lead_funnel.summary import summarize

    db_path = Path(args.duckdb_path) if args.duckdb_path else paths.duckdb_path()
    if not db_path.is_file():
        print(
            f"lead-funnel summary: no warehouse at {db_path}; run lead-funnel build",
            file=sys.stderr,
        )
        return 2
    print(summarize(db_path.resolve(), verbose=args.verbose))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from lead_funnel.quality import run_check

    db_path = Path(args.duckdb_path) if args.duckdb_path else paths.duckdb_path()
    if args.scope != "raw" and not db_path.is_file():
        print(
            f"lead-funnel check: no warehouse at {db_path}; run lead-funnel build", file=sys.stderr
        )
        return 2
    result = run_check(
        raw_dir=Path(args.raw_dir) if args.raw_dir else None,
        db_path=db_path,
        docs_dir=Path(args.docs_dir) if args.docs_dir else None,
        scope=args.scope,
        sample_rows=args.sample_rows,
        progress=lambda step: print(f"check: {step} ...", file=sys.stderr, flush=True),
    )
    print(result.summary(verbose=args.verbose))
    return 0 if result.success else 1


def _cmd_report(args: argparse.Namespace) -> int:
    try:
        from lead_funnel.report import default_report_path, write_report
    except ModuleNotFoundError as missing:
        print(
            f"lead-funnel report: {missing.name} is missing; install the bi extra"
            " (pip install -e '.[bi]', or make setup)",
            file=sys.stderr,
        )
        return 2

    db_path = Path(args.duckdb_path) if args.duckdb_path else paths.duckdb_path()
    if not db_path.is_file():
        print(
            f"lead-funnel report: no warehouse at {db_path}; run lead-funnel build", file=sys.stderr
        )
        return 2
    out = Path(args.out) if args.out else default_report_path()
    written = write_report(db_path, out, scoring_model=args.scoring_model)
    print(f"Report: {written.resolve()}")
    if not args.quiet:
        print(what_next(written, db_path))
    return 0


def what_next(report: Path, db_path: Path) -> str:
    """The closing block of `make run`: what to open or run next."""
    from lead_funnel import schemas
    from lead_funnel.quality.check import default_docs_dir

    docs = default_docs_dir() / "index.html"
    funnel = schemas.table("marts", "rpt_funnel_health")
    lines = [
        "",
        "What next",
        f"  open the report       {report.resolve().as_uri()}",
        f'  query the warehouse   .venv/bin/python -c "import duckdb; print(duckdb.connect('
        f"'{db_path}', read_only=True).sql('select * from {funnel}'))\"",
        "  query the metrics     DBT_PROFILES_DIR=. .venv/bin/mf query --metrics "
        "mqls,mql_to_sql_rate --group-by metric_time__month --order metric_time__month",
        "  browse the models     .venv/bin/dbt docs generate && .venv/bin/dbt docs serve",
    ]
    if docs.is_file():
        lines.append(f"  data quality docs     {docs.resolve().as_uri()}")
    return "\n".join(lines)


def _cmd_suggest_rules(args: argparse.Namespace) -> int:
    from lead_funnel.suggest import suggest_rules

    db_path = Path(args.duckdb_path) if args.duckdb_path else paths.duckdb_path()
    if not db_path.is_file():
        print(
            f"lead-funnel suggest-rules: no warehouse at {db_path}; run lead-funnel build",
            file=sys.stderr,
        )
        return 2
    try:
        result = suggest_rules(
            db_path,
            args.scoring_model,
            Path(args.out),
            seed_dir=Path(args.seed_dir) if args.seed_dir else None,
            suggested_model=args.name,
            train_share=args.train_share,
        )
    except ValueError as error:
        print(f"lead-funnel suggest-rules: {error}", file=sys.stderr)
        return 2

    def shown(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    print(
        f"Suggested {result.suggested_model} from {result.scoring_model}: holdout AUC "
        f"{shown(result.auc_suggested)} against {shown(result.auc_current)} for the current "
        f"rules ({result.test_leads} test leads, {result.test_sqls} SQLs); threshold "
        f"{result.suggested_threshold:g}."
    )
    print(f"Review {Path(args.out) / 'report.md'}; the seed rows are beside it (nothing applied).")
    return 0


FULL_BENCH_PARTS = ("full", "overhead", "incremental")


def _parts(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(FULL_BENCH_PARTS))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"parts are {', '.join(FULL_BENCH_PARTS)}; got {text!r}")
    if "overhead" in parts and "full" not in parts:
        raise argparse.ArgumentTypeError("overhead compares with the full build: add full")
    return parts


def _cmd_bench_full(args: argparse.Namespace) -> int:
    from lead_funnel.bench import bench_full

    workdir = Path(args.workdir)
    results = []
    for n_leads in args.leads:
        daily = workdir / f"daily_{n_leads}_{args.seed}_{args.format}"
        if not (daily / "daily.json").is_file():
            print(f"generating {n_leads:,} leads in two daily loads into {daily}", flush=True)
            started = time.perf_counter()
            _in_child_process(
                _generate_daily, daily, 2, n_leads=n_leads, seed=args.seed, fmt=args.format,
                progress=True, **BENCH_PERIOD,
            )  # fmt: skip
            print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
        results.append(bench_full(daily, workdir / f"full_{n_leads}", args.runs, args.parts))
        print(json.dumps(results[-1], indent=2, default=str), flush=True)
    if len(results) > 1 and "full" in args.parts:
        smallest = results[0]
        per_lead = smallest["full_build"]["median_seconds"] / smallest["leads"]
        print("growth of the full build (1.0 = linear in leads from the smallest size):")
        for result in results:
            seconds = result["full_build"]["median_seconds"]
            print(
                f"  {result['leads']:>9,} leads: {seconds:8.1f} s, "
                f"{seconds / (per_lead * result['leads']):.2f}x linear"
            )
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from lead_funnel.bench import bench_scoring
    from lead_funnel.generator import generate

    if args.full:
        return _cmd_bench_full(args)
    if len(args.leads) != 1:
        print("lead-funnel bench: several --leads sizes need --full", file=sys.stderr)
        return 2
    n_leads = args.leads[0]
    workdir = Path(args.workdir)
    raw = workdir / f"raw_{n_leads}_{args.seed}_{args.format}"
    if not (raw / "ground_truth" / "mess.json").is_file():
        print(f"generating {n_leads:,} leads into {raw}", flush=True)
        started = time.perf_counter()
        # the period the benchmark figures were measured on (its --as-of is its end)
        _in_child_process(
            generate, n_leads, args.seed, raw, fmt=args.format, progress=True, **BENCH_PERIOD
        )
        print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    result = bench_scoring(
        raw, workdir / "bench.duckdb", args.runs, args.as_of, reference=args.reference
    )
    if args.dense_factor > 1:
        from lead_funnel.bench import dense_copy

        dense = dense_copy(raw, workdir / f"{raw.name}_dense{args.dense_factor}", args.dense_factor)
        print(f"the same events on one lead in {args.dense_factor}: {dense}", flush=True)
        dense_result = bench_scoring(
            dense, workdir / "bench_dense.duckdb", args.runs, args.as_of, reference=False
        )
        per_event = result["median_seconds"] / result["events"]
        dense_per_event = dense_result["median_seconds"] / dense_result["events"]
        result["dense"] = dense_result
        result["cost_per_event_ratio_dense_over_sparse"] = round(dense_per_event / per_event, 3)
    print(json.dumps(result, indent=2, default=str))
    return 0


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lead-funnel",
        description="Scored leads, lifecycle history and funnel marts with dbt on DuckDB.",
        epilog="Schemas: the bare names (marts, seeds, audit, ...), or <prefix>_marts, ... with"
        " LEAD_FUNNEL_SCHEMA_PREFIX set; set it to a host project's target schema to read what"
        " that project built with lead_funnel installed as a package (lead_funnel.schemas).",
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    gen = verbs.add_parser("generate", help="write a realistic raw dataset and its ground truth")
    gen.add_argument("--leads", type=int, required=True, help="number of leads")
    gen.add_argument("--seed", type=int, default=42, help="random seed (same seed, same files)")
    gen.add_argument("--out", default=str(paths.DEFAULT_RAW_DIR), help="output folder")
    gen.add_argument("--profile", default="default", choices=["default", "junk", "strict"])
    gen.add_argument("--mess-rate", type=float, default=0.02, help="share of messy rows (0-1)")
    gen.add_argument("--format", default="csv", choices=["csv", "parquet"])
    gen.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    gen.add_argument(
        "--end-date",
        help="last day of the period, YYYY-MM-DD (default: today, UTC): the data ends at its"
        " midnight",
    )
    gen.add_argument(
        "--start-date",
        help=f"first day of the period (default: {DEFAULT_PERIOD_DAYS} days before the end)",
    )
    gen.add_argument(
        "--daily",
        type=int,
        metavar="N",
        help="write N daily loads: <out>/<table>/day_0001.<fmt> (the history up to N-1 days"
        " before the end), then one file per following day (see lead_funnel.generator.daily)",
    )
    gen.set_defaults(func=_cmd_generate)

    build = verbs.add_parser("build", help="dbt build on the raw files of LEAD_FUNNEL_RAW_DIR")
    build.add_argument("--raw-dir", help="raw folder (default: LEAD_FUNNEL_RAW_DIR or data/raw)")
    build.add_argument("--duckdb-path", help="warehouse file (default: LEAD_FUNNEL_DUCKDB_PATH)")
    build.add_argument("--select", help="dbt selection, e.g. +fct_lead_scores")
    build.add_argument("--vars", help='dbt vars as JSON, e.g. \'{"score_as_of": "2026-01-01"}\'')
    build.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even if a table vanished or shrank against the last build (a reload)",
    )
    build.add_argument(
        "--verbose",
        action="store_true",
        help="print dbt's whole log (default: a progress bar, then failures in full)",
    )
    build.set_defaults(func=_cmd_build)

    refresh = verbs.add_parser(
        "refresh",
        help="build a working copy, check it and publish it atomically (the scheduled job)",
        description="Build into a working copy of the published warehouse, run dbt's tests, "
        "the publish gates and the quality check, then put it in place of the published file "
        "atomically. Exit codes: 0 published, 1 build failed, 2 bad input, 3 a publish gate "
        "(or, with --require-fresh, source freshness) refused, 4 the quality check failed, "
        "75 another refresh is running.",
    )
    refresh.add_argument("--raw-dir", help="raw folder (default: LEAD_FUNNEL_RAW_DIR or data/raw)")
    refresh.add_argument(
        "--duckdb-path", help="published warehouse file (default: LEAD_FUNNEL_DUCKDB_PATH)"
    )
    refresh.add_argument("--vars", help="dbt vars as JSON, as for build")
    refresh.add_argument(
        "--full-refresh", action="store_true", help="pass --full-refresh to dbt build"
    )
    refresh.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even if a table vanished or shrank against the published version",
    )
    refresh.add_argument("--docs-dir", help="Data Docs folder (default: reports/data_docs)")
    refresh.add_argument(
        "--require-fresh",
        action="store_true",
        help="run dbt source freshness first and publish nothing (exit 3) if a raw source is "
        "past its error threshold (also LEAD_FUNNEL_REFRESH_REQUIRE_FRESH=1)",
    )
    refresh.set_defaults(func=_cmd_refresh)

    rollback = verbs.add_parser(
        "rollback", help="put the kept version before the published one back (atomically)"
    )
    rollback.add_argument(
        "--duckdb-path", help="published warehouse file (default: LEAD_FUNNEL_DUCKDB_PATH)"
    )
    rollback.set_defaults(func=_cmd_rollback)

    load = verbs.add_parser(
        "load", help="put the raw files into the raw schema of PostgreSQL or Spark"
    )
    load.add_argument("--target", required=True, choices=["postgres", "spark"])
    load.add_argument("--raw-dir", help="raw folder (default: LEAD_FUNNEL_RAW_DIR or data/raw)")
    load.add_argument("--vars", help="dbt vars as JSON (e.g. raw_schema)")
    load.set_defaults(func=_cmd_load)

    bench = verbs.add_parser(
        "bench", help="time the scoring layer (and the Python reference), or with --full the build"
    )
    bench.add_argument(
        "--leads",
        type=_sizes,
        default=[20000],
        help="leads to generate; with --full a comma-separated list of sizes (growth)",
    )
    bench.add_argument(
        "--full",
        action="store_true",
        help="time the whole dbt build (tests included), the daily incremental build and "
        "dbt's overhead against the compiled SQL",
    )
    bench.add_argument(
        "--parts",
        type=_parts,
        default=list(FULL_BENCH_PARTS),
        help="with --full, which measurements (comma-separated): full (the whole build), "
        "overhead (dbt against its compiled SQL; needs full), incremental (the daily build)",
    )
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--format", default="parquet", choices=["csv", "parquet"])
    bench.add_argument("--workdir", default="/tmp/lead_funnel_bench", help="data and warehouse")
    bench.add_argument("--runs", type=int, default=3, help="timed runs of each measurement")
    bench.add_argument(
        "--dense-factor",
        type=int,
        default=10,
        help="also time the same events on one lead in N (cost per event, N x events per lead)",
    )
    bench.add_argument("--as-of", default="2026-09-30 00:00:00", help="score_as_of of the runs")
    bench.add_argument("--reference", action="store_true", help="also time the Python reference")
    bench.set_defaults(func=_cmd_bench)

    check = verbs.add_parser(
        "check", help="Great Expectations checkpoint on the raw files and marts, with Data Docs"
    )
    check.add_argument("--raw-dir", help="raw folder (default: LEAD_FUNNEL_RAW_DIR or data/raw)")
    check.add_argument("--duckdb-path", help="warehouse file (default: LEAD_FUNNEL_DUCKDB_PATH)")
    check.add_argument("--docs-dir", help="Data Docs folder (default: reports/data_docs)")
    check.add_argument("--scope", default="all", choices=["all", "raw", "marts"])
    check.add_argument(
        "--sample-rows",
        type=int,
        default=250_000,
        help="validate larger tables on a reproducible sample of this many rows",
    )
    check.add_argument("--verbose", action="store_true", help="list every suite and every detail")
    check.set_defaults(func=_cmd_check)

    report = verbs.add_parser("report", help="write the self-contained HTML funnel report")
    report.add_argument("--duckdb-path", help="warehouse file (default: LEAD_FUNNEL_DUCKDB_PATH)")
    report.add_argument("--out", help="HTML file (default: reports/lead_funnel_report.html)")
    report.add_argument(
        "--scoring-model", default=None, help="scoring model (default: the default)"
    )
    report.add_argument("--quiet", action="store_true", help="print the report's path only")
    report.set_defaults(func=_cmd_report)

    suggest = verbs.add_parser(
        "suggest-rules",
        help="fit a scoring model's points to the outcomes: seed rows and a report to review",
    )
    suggest.add_argument("--scoring-model", default="default", help="the model to start from")
    suggest.add_argument("--out", required=True, help="folder for the seed rows and report.md")
    suggest.add_argument("--name", default=None, help="the new model (default: <model>_suggested)")
    suggest.add_argument(
        "--train-share",
        type=float,
        default=0.7,
        help="share of the leads, earliest first, that train the weights (the rest test them)",
    )
    suggest.add_argument("--seed-dir", help="the scoring seeds (default: seeds/scoring)")
    suggest.add_argument("--duckdb-path", help="warehouse file (default: LEAD_FUNNEL_DUCKDB_PATH)")
    suggest.set_defaults(func=_cmd_suggest_rules)

    summary = verbs.add_parser("summary", help="rows per layer and quarantine counts")
    summary.add_argument("--duckdb-path", help="warehouse file (default: LEAD_FUNNEL_DUCKDB_PATH)")
    summary.add_argument("--verbose", action="store_true", help="rows of every model")
    summary.set_defaults(func=_cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
