"""Keep the files dbt and MetricFlow write during the tests out of the project.

dbt writes its artefacts (manifest.json, semantic_manifest.json, partial_parse.msgpack, run
results, compiled SQL) to the target path and its log to the log path; both default to
`target/` and `logs/` in the project. An artefact written by a test describes the test's
warehouse, so a user's next `mf query` on their own warehouse would read the test's database
name (`Catalog "good" does not exist`). The tests therefore point DBT_TARGET_PATH and
DBT_LOG_PATH at a temporary folder for the whole session (tests/conftest.py) and pass them to
every subprocess through the environment.

MetricFlow reads `<project>/target/semantic_manifest.json` whatever DBT_TARGET_PATH says, so the
tests run `mf` in a small stand-in project (`mf_project`): the project's two configuration files
and a target/ parsed for the warehouse being queried. Its log follows DBT_LOG_PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

#: What dbt, MetricFlow and the CLI would write into the project; tests must leave it alone.
#: reports/test_artifacts is left out: the report test keeps its screenshot there on purpose.
PROTECTED = (
    "target",
    "logs",
    "warehouse",
    ".user.yml",
    "dbt_packages",
    "reports/data_docs",
    "reports/lead_funnel_report.html",
)

#: Top-level entries the tests may create: pytest's cache and reports/ (for test_artifacts).
#: Any other new file or folder at the top of the project counts as a change.
MAY_APPEAR = (".pytest_cache", "reports")

#: The project's own files a copy of it needs to build (no target/, logs/ or warehouse files).
PROJECT_FOLDERS = ("models", "macros", "seeds", "snapshots", "analyses")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")

#: Environment variables that steer dbt or the project to the tests' own files.
TEST_ONLY_VARIABLES = (
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "DBT_PROFILES_DIR",
    "DBT_PROJECT_DIR",
    "LEAD_FUNNEL_DUCKDB_PATH",
    "LEAD_FUNNEL_RAW_DIR",
    "LEAD_FUNNEL_PROJECT_DIR",
)

BIN = Path(sys.executable).parent


def scratch_environment(folder: Path) -> dict[str, str]:
    """dbt's target and log paths in `folder`, and no usage-statistics cookie (`.user.yml`,
    which dbt would otherwise write beside profiles.yml, i.e. into the project)."""
    return {
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


Snapshot = dict[str, tuple[str, int, int]]


def snapshot(project: Path, names: Sequence[str] = PROTECTED) -> Snapshot:
    """Every file and folder under `names` in `project`: relative path -> (kind, size, mtime),
    and the names of the project's other top-level entries."""
    found: Snapshot = {
        entry.name: ("entry", 0, 0) for entry in project.iterdir() if entry.name not in MAY_APPEAR
    }
    for name in names:
        root = project / name
        if not root.exists() and not root.is_symlink():
            continue
        for path in [root, *sorted(root.rglob("*"))] if root.is_dir() else [root]:
            stat = path.lstat()
            kind = "dir" if path.is_dir() else "file"
            size = 0 if kind == "dir" else stat.st_size
            found[path.relative_to(project).as_posix()] = (kind, size, stat.st_mtime_ns)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, one line per path."""
    lines = []
    for path in sorted(set(before) | set(after)):
        if path not in before:
            lines.append(f"created {path}")
        elif path not in after:
            lines.append(f"removed {path}")
        elif before[path] != after[path]:
            lines.append(f"modified {path}")
    return lines


def copy_project(folder: Path, source: Path) -> Path:
    """A copy of the dbt project in `folder`/project: sources and configuration only."""
    target = folder / "project"
    for name in PROJECT_FOLDERS:
        shutil.copytree(source / name, target / name)
    shutil.copytree(source / "tests" / "dbt", target / "tests" / "dbt")
    for name in PROJECT_FILES:
        shutil.copy(source / name, target / name)
    return target


def user_environment(project: Path, **settings: str) -> dict[str, str]:
    """The environment of a user working in `project`: none of the tests' redirections."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    # The package is installed from another folder; a user's checkout finds its own project.
    env["LEAD_FUNNEL_PROJECT_DIR"] = str(project)
    env.update(settings)
    return env


def mf_project(folder: Path, warehouse: Path, raw_dir: Path) -> Path:
    """A folder `mf` can run in for `warehouse`: the project's dbt_project.yml and profiles.yml,
    and a target/ holding a semantic manifest parsed with `warehouse` as the database."""
    from lead_funnel import paths
    from lead_funnel.dbt_runner import run_dbt

    folder.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy(paths.project_dir() / name, folder / name)
    run_dbt(
        ["parse", "--target-path", str(folder / "target")],
        raw_dir=raw_dir,
        duckdb_path=warehouse,
        quiet=True,
    )
    return folder


def run_mf(
    args: Sequence[str], project: Path, env: Mapping[str, str], timeout: int = 300
) -> subprocess.CompletedProcess:
    """`mf <args>` in `project` (a `mf_project` or a user's project) with `env`; must succeed."""
    env = {**env, "DBT_PROFILES_DIR": str(project), "DBT_PROJECT_DIR": str(project)}
    done = subprocess.run(
        [str(BIN / "mf"), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done
