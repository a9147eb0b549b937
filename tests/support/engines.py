"""Real PostgreSQL servers and Spark sessions for the tests, started and stopped by the tests.

PostgreSQL: a throwaway cluster (initdb) in a temporary folder, on a free loopback port,
with durability switched off (a test cluster is rebuilt from scratch every time). PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` system user that
Debian's package creates. Spark: dbt-spark's `session` method runs a local Spark inside the
test process; only its folder (tables and metastore) and the loopback address are set here.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


@contextlib.contextmanager
def environment(settings: dict[str, str]):
    """Set environment variables for the duration of a block."""
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def postgres_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found and Path(found).resolve().parent.joinpath("pg_ctl").exists():
            return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    return Path(candidates[0]) if candidates else None


def java_available() -> bool:
    """Whether a Java runtime is on the PATH (Spark needs one)."""
    return shutil.which("java") is not None


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A PostgreSQL cluster of its own: `start()` returns the LEAD_FUNNEL_PG_* settings.

    The cluster lives in a fresh folder directly under the system's temporary folder (pytest's
    own folders are private to the user running the tests, which the server user cannot
    enter), removed again by `stop()`.
    """

    def __init__(self, database: str = "lead_funnel"):
        import tempfile

        self.root = Path(tempfile.mkdtemp(prefix="lead_funnel_pg_"))
        self.database = database
        self.bin_dir = postgres_bin_dir()
        if self.bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl found)")
        self.data_dir = self.root / "data"
        self.port = _free_port()
        self._as_postgres_user = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = list(args)
        if self._as_postgres_user:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> dict[str, str]:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_postgres_user and not _user_exists("postgres"):
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        if self._as_postgres_user:
            shutil.chown(self.root, user="postgres")
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )
        self.create_database(self.database)
        return self.settings()

    def settings(self, database: str | None = None) -> dict[str, str]:
        return {
            "LEAD_FUNNEL_PG_HOST": "127.0.0.1",
            "LEAD_FUNNEL_PG_PORT": str(self.port),
            "LEAD_FUNNEL_PG_USER": "postgres",
            "LEAD_FUNNEL_PG_PASSWORD": "",
            "LEAD_FUNNEL_PG_DATABASE": database or self.database,
        }

    def create_database(self, name: str) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                con = psycopg2.connect(
                    host="127.0.0.1", port=self.port, user="postgres", dbname="postgres"
                )
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{name}"')
            cur.execute(f'create database "{name}"')
        con.close()

    def stop(self) -> None:
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run(
                    str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "stop"
                )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def spark_settings(root: Path) -> dict[str, str]:
    """Environment for the Spark target: its own folder, loopback networking."""
    return {
        "LEAD_FUNNEL_SPARK_DIR": str(Path(root).resolve()),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
