# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format messages mutate clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "campaign needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/campaign dev

test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy campaign

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract the source strings into the catalogue template and merge them into each language.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -o campaign/locales/messages.pot --no-location --sort-output .
	for dir in campaign/locales/*/; do \
		lang=$$(basename $$dir); \
		$(BIN)/pybabel update -i campaign/locales/messages.pot -d campaign/locales -l $$lang --no-fuzzy-matching --ignore-obsolete; \
	done

# Mutation testing by hand (docs/security.md records the score): one-line bugs planted in the
# modules that guard supporters, each run against the tests that should catch it, on SQLite.
# Of the worker, only its claim. `make mutate MUTANTS='campaign.core.csvcells.*'` runs fewer;
# `.venv/bin/mutmut results` and `.venv/bin/mutmut show <name>` list and show the survivors.
MUTANTS ?= campaign.core.csvcells.* campaign.core.crypto.* campaign.core.ratelimit.* \
	campaign.petitions.service.public.* campaign.petitions.service.signing.* \
	campaign.petitions.service.counting.* campaign.petitions.routes.* \
	campaign.mail.worker.xǁMailWorkerǁclaim__mutmut_* campaign.mail.worker.x__due__mutmut_*
mutate: $(STAMP)
	rm -rf mutants
	env -u TEST_DATABASE_URL -u REQUIRE_POSTGRES $(BIN)/mutmut run --max-children 2 $(foreach m,$(MUTANTS),'$(m)')
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache mutants
