"""The warehouse schemas the CLI, the refresh, the report and the checks read.

dbt names them (macros/package/schemas.sql). Built as the root project, each layer keeps its
bare name (`marts`, `seeds`, `audit`, ...). Installed as a package in another dbt project,
every one is `<prefix>_<name>` with the host's target schema as the prefix, so the host's
dev and prod targets never share a schema; the root project nests the same way when
LEAD_FUNNEL_SCHEMA_PREFIX is set.

LEAD_FUNNEL_SCHEMA_PREFIX is therefore the one setting here as well: unset (bare names) for
this project's own builds, or the prefix its build used; the host's target schema to read
what a host project built, e.g. `LEAD_FUNNEL_SCHEMA_PREFIX=analytics lead-funnel report`
reads `analytics_marts` and `analytics_seeds`. It is read on every call, so a command and
the dbt build it runs always agree.

The raw landing schema (var raw_schema, default `raw`) nests the same way (`raw_schema`);
the connectors' schemas are used as given.
"""

from __future__ import annotations

import os
import re

PREFIX_VARIABLE = "LEAD_FUNNEL_SCHEMA_PREFIX"

#: Every schema the project's build names this way: dbt's custom schemas (dbt_project.yml),
#: and the incremental state (var incremental_state_schema), the published counts (var
#: publish_state_schema, in audit) and the email-hash key (private) the macros write.
LAYERS = (
    "staging",
    "intermediate",
    "marts",
    "seeds",
    "audit",
    "snapshots",
    "incremental_state",
    "private",
)

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")


def prefix() -> str:
    """LEAD_FUNNEL_SCHEMA_PREFIX, stripped; empty for the bare names."""
    return os.environ.get(PREFIX_VARIABLE, "").strip()


def schema(layer: str) -> str:
    """The schema holding `layer` (one of LAYERS): `marts`, or `<prefix>_marts`."""
    if layer not in LAYERS:
        raise ValueError(f"unknown schema {layer!r}: expected one of {', '.join(LAYERS)}")
    chosen = prefix()
    return f"{chosen}_{layer}" if chosen else layer


def raw_schema(dbt_vars: dict | None = None) -> str:
    """The schema the raw files are landed in: var raw_schema (default `raw`), nested."""
    name = str((dbt_vars or {}).get("raw_schema", "raw"))
    chosen = prefix()
    return f"{chosen}_{name}" if chosen else name


def _identifier(name: str) -> str:
    """`name` for SQL: as it is when plain lowercase, else double-quoted."""
    return name if _PLAIN.match(name) else '"' + name.replace('"', '""') + '"'


def table(layer: str, name: str) -> str:
    """The relation `name` in `layer`'s schema, for SQL: `marts.dim_leads`."""
    return f"{_identifier(schema(layer))}.{_identifier(name)}"
