# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_DEBUG=1 FLASK_DEV_MAIL_VIEWER=true $(BIN)/flask --app petition
INSTALLED := $(VENV)/.installed
# One test worker per core and one more: browser and process tests wait, and the spare uses it.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PARALLEL := -n $(TEST_WORKERS) --dist worksteal
# Exact versions of every dependency: what a fresh machine installs next month is what CI ran today.
LOCK := constraints.txt
# A test run starts dozens of Python processes (test workers, gunicorn, the commands); with
# bytecode kept, each after the first reads the compiled code instead of compiling it anew.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast install upgrade lint security audit clean bench soak deploy-check translations

$(INSTALLED): pyproject.toml $(LOCK) tests/a11y/package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(LOCK) pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[test]'
	@# axe-core for the accessibility tests; without npm those tests skip (CI installs npm).
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error; fi
	@touch $@

install: $(INSTALLED)

## Set up, create the SQLite database in instance/, load the demo petitions and serve on 127.0.0.1:5000.
run: $(INSTALLED)
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Mail is printed here and listed at http://127.0.0.1:5000/dev/mail"
	$(FLASK) run --host 127.0.0.1 --port 5000

## Set up and run the whole test suite (SQLite; set PETITION_TEST_DATABASE_URL for PostgreSQL):
## TEST_WORKERS in parallel, idle ones taking tests from busy ones, then the tests that measure
## time (-m serial) alone.
test: $(INSTALLED)
	$(BIN)/python -m pytest $(PARALLEL) -m "not serial"
	$(BIN)/python -m pytest -m serial

## The edit loop: everything but the fault, browser, process and every-route tests (-m slow).
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest $(PARALLEL) -q -m "not slow and not serial"
	$(BIN)/python -m pytest -q -m "serial and not slow"

## What a request, a message and a surge cost, the export, and a surge through the shipped nginx
## (about 30 minutes; never part of `make test`). Parts alone: `$(BIN)/python bench/run.py
## load|sign|delivery|surge|export|edge`; BENCH_SURGE_SECONDS=20 and BENCH_EDGE_SECONDS=20 shorten
## the replays. Needs wrk and nginx (Debian) and, for its PostgreSQL rows, a PostgreSQL server at
## BENCH_POSTGRES_URL.
bench: $(INSTALLED)
	@command -v wrk >/dev/null || { apt-get install -y wrk || sudo apt-get install -y wrk; }
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ apt-get install -y nginx || sudo apt-get install -y nginx; }
	$(BIN)/python bench/run.py

## Check the shipped deployment files (deploy/): `nginx -t` on the site file, `systemd-analyze
## verify` on the units, the environment template's names. Needs Debian's nginx and systemd.
deploy-check: $(INSTALLED)
	$(BIN)/python -m pytest -q tests/deploy/test_config.py

## The service through a schedule of faults under steady signing, then checked: two gunicorn
## instances, two deliverers, PostgreSQL, Redis and an SMTP relay that fails on cue (about
## SOAK_MINUTES + 5 minutes; never part of `make test`). SOAK_MINUTES (default 10) and SOAK_RATE
## (signers a second, default 5). Needs PostgreSQL at BENCH_POSTGRES_URL and Redis on
## 127.0.0.1:SOAK_REDIS_PORT (6379). Exit status 1 when an invariant does not hold.
soak: $(INSTALLED)
	$(BIN)/python bench/soak.py

## After changing any text: collect the messages, add new ones to every catalogue, compile them.
## Translate what is new in petition/translations/*/LC_MESSAGES/messages.po, then run it again.
translations: $(INSTALLED)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--no-location --sort-output --no-wrap -o petition/translations/messages.pot petition templates
	$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching --ignore-obsolete \
		-i petition/translations/messages.pot -d petition/translations
	$(BIN)/pybabel compile --statistics -d petition/translations

## Refresh the lock on purpose: the newest versions pyproject.toml allows, written to $(LOCK).
## Review the diff, run `make test`, and commit it.
upgrade:
	rm -rf $(VENV).upgrade
	$(PYTHON) -m venv $(VENV).upgrade
	$(VENV).upgrade/bin/python -m pip install --quiet --upgrade pip
	$(VENV).upgrade/bin/python -m pip install --quiet '.[test]'
	{ sed -n '1,3p' $(LOCK); $(VENV).upgrade/bin/python -m pip freeze --all --exclude petition \
		| grep -v -i -E '^(setuptools|wheel)=='; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf $(VENV).upgrade build
	$(MAKE) install

## Style, formatting and types (run in CI).
lint: $(INSTALLED)
	$(BIN)/ruff check petition tests bench gunicorn.conf.py
	$(BIN)/ruff format --check petition tests bench gunicorn.conf.py
	$(BIN)/mypy

## Static security check of our code: fails on findings of medium severity or higher (run in CI).
security: $(INSTALLED)
	$(BIN)/bandit -q -r petition --severity-level medium

## Known vulnerabilities in the installed dependencies (needs the package index; not run in CI).
audit: $(INSTALLED)
	$(BIN)/pip-audit --progress-spinner off --skip-editable

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts tests/a11y/node_modules
