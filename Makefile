# lead_funnel: `make run` builds a warehouse from generated data; `make test` checks everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LEADS  ?= 5000
SEED   ?= 42
PROFILE ?= default
RAW_DIR ?= data/raw
export LEAD_FUNNEL_RAW_DIR ?= $(RAW_DIR)

.PHONY: setup run data build summary check report browser docs-screenshot engines test test-fast lint sqllint pytest bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bi]'
	@command -v npm >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; }
	$(BIN)/python -m lead_funnel.quality.offline_docs fetch
	touch $@

setup: $(VENV)/.installed

data: setup
	$(BIN)/lead-funnel generate --leads $(LEADS) --seed $(SEED) --profile $(PROFILE) --out $(RAW_DIR)

build: setup
	$(BIN)/lead-funnel build --raw-dir $(RAW_DIR)

summary: setup
	$(BIN)/lead-funnel summary

check: setup
	$(BIN)/lead-funnel check

report: setup
	$(BIN)/lead-funnel report

run: data build summary check report

# The parity test builds on PostgreSQL and Spark: their dbt adapters, a PostgreSQL server's
# binaries and a Java runtime, installed when missing (CI runs as root); the orchestration test
# needs Dagster (the orchestration extra).
$(VENV)/.engines: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bi,postgres,spark,orchestration]'
	touch $@

engines: $(VENV)/.engines
	@command -v java >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }
	@{ command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }

# The report test drives Debian's headless Chromium; install it when missing (CI runs as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# The README's picture of the report: the screenshot the report test keeps.
docs-screenshot:
	cp reports/test_artifacts/report_screenshot.png docs/report_screenshot.png

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

# The dbt templater's warehouse, artefacts and logs go to a temporary folder, not target/ or logs/.
sqllint: setup
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	LEAD_FUNNEL_RAW_DIR=tests/fixtures/raw_small LEAD_FUNNEL_DUCKDB_PATH=$$tmp/sqlfluff.duckdb \
	DBT_TARGET_PATH=$$tmp/target DBT_LOG_PATH=$$tmp/logs DBT_SEND_ANONYMOUS_USAGE_STATS=false \
		$(BIN)/sqlfluff lint --processes 2 models macros tests/dbt analyses snapshots

# The Spark tests (a JVM planning one statement at a time) run beside the rest, in their own
# pytest session and temporary folder; the rest are split into two shards of whole test files
# (LEAD_FUNNEL_TEST_SHARD, tests/conftest.py), also side by side. All three must pass; the
# second shard's and Spark's output are shown at the end.
pytest: setup browser engines
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	( $(BIN)/pytest -q -p no:cacheprovider -k spark --basetemp="$$tmp/spark" \
		> "$$tmp/spark.log" 2>&1; echo $$? > "$$tmp/spark.rc" ) & \
	( LEAD_FUNNEL_TEST_SHARD=2/2 $(BIN)/pytest -q -p no:cacheprovider -k "not spark" \
		--basetemp="$$tmp/shard2" > "$$tmp/shard2.log" 2>&1; echo $$? > "$$tmp/shard2.rc" ) & \
	LEAD_FUNNEL_TEST_SHARD=1/2 $(BIN)/pytest -q -k "not spark"; first=$$?; wait; \
	echo "--- second shard ---"; cat "$$tmp/shard2.log"; \
	echo "--- Spark tests ---"; cat "$$tmp/spark.log"; \
	second=$$(cat "$$tmp/shard2.rc"); spark=$$(cat "$$tmp/spark.rc"); \
	[ "$$first" = 0 ] && [ "$$second" = 0 ] && [ "$$spark" = 0 ]

test: lint sqllint pytest

# The quick tests only (no dbt builds on generated or planted data): a few minutes.
test-fast: setup
	$(BIN)/pytest -q -m "not slow"

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.wal reports
