# Alongside — everyday commands. Everything installs itself into .venv from the lock files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONPATH := src
export DJANGO_SETTINGS_MODULE ?= alongside.settings

.PHONY: run test lint format bench chaos migrate install install-dev lock clean messages eval-safety safety-train eval-moderation moderation-train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: reinstall only when a lock file changes.
$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	touch $@ $(VENV)/.base-installed

node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: browser accessibility audits will be skipped"; fi

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed node_modules/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

# App tests first, on in-memory SQLite databases, one per CPU (pytest-xdist); then the browser
# tests, whose ASGI server thread shares a file database. (On PostgreSQL both use the real server.)
test: install-dev
	$(BIN)/python -m pytest -m "not browser" --numprocesses=auto --maxprocesses=4 $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONPATH=src:tools $(BIN)/lint-imports --no-logo

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# After editing src/alongside/locale/*/LC_MESSAGES/django.po (needs GNU gettext's msgfmt).
messages:
	for po in src/alongside/locale/*/LC_MESSAGES/django.po; do msgfmt --check -o "$${po%.po}.mo" "$$po"; done

bench: install-dev
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/run_lighthouse.py --runs 3
	$(BIN)/python benchmarks/search_timing.py
	$(BIN)/python benchmarks/chat_fanout.py
	$(BIN)/python benchmarks/safety_assess.py

# Live chat under faults (Redis, PostgreSQL and an app server killed, connections cut), on its own
# throwaway PostgreSQL cluster and Redis: docs/performance.md, "Chat under faults".
chaos: install-dev
	$(BIN)/python benchmarks/chaos.py

# The crisis classifier on its held-out split and the hand-made cases, responders' verdicts, and
# the triage guide's routing (docs/safety.md). Needs the labelled data in ../shared/data/.
eval-safety: install-dev
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py safety_eval

# Retrain the crisis head and pin its new hash (then `make eval-safety`).
safety-train: install-dev
	$(BIN)/python manage.py safety_train

# The toxicity signal on TweetEval's held-out validation split against alt-profanity-check and plain
# MiniLM + LR (docs/moderation.md, "Toxicity signal"). Needs the labelled data in ../shared/data/.
eval-moderation: install-dev
	$(BIN)/python manage.py moderation_eval

# Retrain the toxicity head, choose its threshold on the tuning slice and pin its new hash.
moderation-train: install-dev
	$(BIN)/python manage.py moderation_train

# Regenerate the lock files after editing pyproject.toml (needs network access to PyPI).
lock:
	$(PYTHON) -m pip install --quiet uv==0.13.8
	$(PYTHON) -m uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.lock -q
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.lock -q

clean:
	rm -rf $(VENV) node_modules staticfiles
