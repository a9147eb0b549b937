"""Where the project, the raw files and the warehouse live.

Every command resolves locations the same way as dbt's profile does, so that the CLI,
the tests and a plain `dbt build` always agree on which files they read and write.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_RAW_DIR = Path("data/raw")
DEFAULT_DUCKDB_PATH = Path("warehouse/lead_funnel.duckdb")


def project_dir() -> Path:
    """The dbt project root: the folder holding dbt_project.yml."""
    env = os.environ.get("LEAD_FUNNEL_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "dbt_project.yml").is_file():
            return parent
    return Path.cwd()


def raw_dir() -> Path:
    """The raw-file folder: LEAD_FUNNEL_RAW_DIR, else data/raw under the project."""
    env = os.environ.get("LEAD_FUNNEL_RAW_DIR")
    return Path(env) if env else project_dir() / DEFAULT_RAW_DIR


def duckdb_path() -> Path:
    """The warehouse file: LEAD_FUNNEL_DUCKDB_PATH, else warehouse/lead_funnel.duckdb."""
    env = os.environ.get("LEAD_FUNNEL_DUCKDB_PATH")
    return Path(env) if env else project_dir() / DEFAULT_DUCKDB_PATH
