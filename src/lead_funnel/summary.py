"""The short report `make run` prints after a build: rows per layer and quarantine counts."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lead_funnel import schemas

LAYERS = ("staging", "audit", "intermediate", "marts")


def summarize(db_path: Path, verbose: bool = False) -> str:
    """Rows per layer (per model with `verbose`), the raw rows' reconciliation, quarantine
    counts by reason, funnel health against the benchmarks, and how to query the warehouse."""
    lines: list[str] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        relations = con.execute(
            """
            select table_schema, table_name, table_type
            from information_schema.tables
            where (
                table_schema in (?, ?, ?)
                and table_name not like 'base\\_%' escape '\\'
              ) or (table_schema = ? and table_name like 'audit\\_%' escape '\\')
            order by table_schema, table_name
            """,
            [
                schemas.schema("staging"),
                schemas.schema("intermediate"),
                schemas.schema("marts"),
                schemas.schema("audit"),
            ],
        ).fetchall()
        lines.append("Rows per layer")
        for layer in LAYERS:
            in_layer = [r for r in relations if r[0] == schemas.schema(layer)]
            if not in_layer:
                continue
            counts = [
                (name, con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])
                for schema, name, _ in in_layer
            ]
            total = sum(count for _, count in counts)
            if not verbose:
                label = f"{schemas.schema(layer)} ({len(counts)} models)"
                lines.append(f"  {label:<46} {total:>12,}")
                continue
            lines.append(f"  {schemas.schema(layer)}")
            for name, count in counts:
                lines.append(f"    {name:<44} {count:>12,}")
            lines.append(f"    {'(total)':<44} {total:>12,}")
        if not verbose:
            lines.append("  (every model: lead-funnel summary --verbose)")

        lines.append("")
        reconciliation = con.execute(
            f"""
            select source_table, raw_rows, staged_rows, quarantined_rows,
                   exact_duplicates_removed, erased_rows, is_reconciled
            from {schemas.table("audit", "audit_raw_reconciliation")}
            order by source_table
            """
        ).fetchall()
        # rows of people named by an erasure request count apart, when there are any
        any_erased = any(int(row[5] or 0) for row in reconciliation)
        if not verbose and reconciliation and all(row[6] for row in reconciliation):
            raw, staged, quarantined, dupes, erased = (
                sum(int(row[k] or 0) for row in reconciliation) for k in range(1, 6)
            )
            lines.append(
                f"Raw rows reconcile in all {len(reconciliation)} tables: {raw:,} raw = "
                f"{staged:,} staged + {quarantined:,} quarantined + {dupes:,} duplicates"
                + (f" + {erased:,} erased" if any_erased else "")
            )
            reconciliation = []
        else:
            lines.append(
                "Raw rows: staged + quarantined + exact duplicates removed"
                + (" + erased on request" if any_erased else "")
            )
        for row in reconciliation:
            table, raw, staged, quarantined, dupes, erased, ok = row
            mark = "ok" if ok else "MISMATCH"
            lines.append(
                f"  {table:<22} raw {raw:>11,} = staged {staged:>11,} + quarantined "
                f"{quarantined:>8,} + duplicates {int(dupes):>8,}"
                + (f" + erased {int(erased or 0):>6,}" if any_erased else "")
                + f"  {mark}"
            )

        lines.append("")
        lines.append("Quarantined rows by reason")
        reasons = con.execute(
            f"""
            select source_table, rejection_reason, count(*)
            from {schemas.table("audit", "audit_quarantined_rows")}
            group by 1, 2
            order by 1, 2
            """
        ).fetchall()
        if not reasons:
            lines.append("  none")
        for table, reason, count in reasons:
            lines.append(f"  {table:<22} {reason:<28} {count:>8,}")

        health = con.execute(
            """
            select table_name from information_schema.tables
            where table_schema = ? and table_name = 'rpt_funnel_health'
            """,
            [schemas.schema("marts")],
        ).fetchall()
        if health:
            lines.append("")
            lines.append("Funnel health (default scoring model, preferred benchmark sources)")
            for metric, rate, low, high, status, source in con.execute(
                f"""
                select h.metric, h.measured_rate, h.range_low, h.range_high, h.status,
                       h.source_name
                from {schemas.table("marts", "rpt_funnel_health")} as h
                inner join {schemas.table("seeds", "scoring_models")} as m
                    on h.scoring_model = m.scoring_model
                where m.is_default and h.is_preferred
                order by h.metric, h.scoring_model, h.source_file
                """
            ).fetchall():
                shown = "n/a" if rate is None else f"{rate:7.1%}"
                band = f"{(low or 0):.1%}-{high:.1%}" if high is not None else f">= {low:.1%}"
                lines.append(f"  {metric:<24} {shown:>7}  range {band:<12} {status:<7} {source}")

        lines.append("")
        lines.append(hash_key_line(con))

    lines.append(f"Warehouse: {db_path}")
    lines.append(
        f'Query it:  .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{db_path}', read_only=True)"
        f".sql('select * from {schemas.schema('audit')}.audit_raw_reconciliation'))\""
    )
    return "\n".join(lines)


def hash_key_line(con: duckdb.DuckDBPyConnection) -> str:
    """Which key the last build hashed email addresses with (<private>.hash_key_source)."""
    source = schemas.table("private", "hash_key_source")
    try:
        (key_source,) = con.execute(f"select key_source from {source}").fetchone()
    except duckdb.CatalogException:
        return "email_hash: no key recorded (build the warehouse again)"
    if key_source == "LEAD_FUNNEL_HASH_KEY":
        return "email_hash keyed with LEAD_FUNNEL_HASH_KEY"
    return (
        "email_hash keyed with a key generated for this warehouse, stored in "
        f"{schemas.table('private', 'hash_key')} (set LEAD_FUNNEL_HASH_KEY to choose one)"
    )
