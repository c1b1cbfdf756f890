# Every target sets itself up: a fresh machine needs only Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The bot's texts: gettext catalogs (.po in git), compiled to .mo here (see README, "Languages").
LOCALE := bot/i18n/locale
MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/newsbrief.po))

.PHONY: run test lint typecheck bench bench-scale clean messages

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(LOCALE)/%.mo: $(LOCALE)/%.po $(STAMP)
	@$(BIN)/pybabel compile --statistics -D newsbrief -i $< -o $@ 2>&1 | grep -v '^compiling' || true

# Re-extract the marked strings and merge them into every catalog (then translate the .po files).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --width 100 --project newsbrief -o $(LOCALE)/newsbrief.pot .
	$(BIN)/pybabel update -D newsbrief -i $(LOCALE)/newsbrief.pot -d $(LOCALE) --ignore-obsolete --no-fuzzy-matching --width 100

run: $(STAMP) $(MO)
	@$(BIN)/newsbrief run-default

lint: $(STAMP)
	$(BIN)/ruff check bot handlers tests benchmarks
	$(BIN)/ruff format --check bot handlers tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck $(MO)
	$(BIN)/python -m pytest

bench: $(STAMP) $(MO)
	$(BIN)/python -m benchmarks

# The whole bot at 100k, 300k and 1M articles beside main at 100k (long: see docs/scaling.md),
# then the start of `newsbrief run` on each data dir (benchmarks/startup.py).
# NEWSBRIEF_SCALE_BASE=<commit> names main's commit; NEWSBRIEF_SCALE_SIZES=100000 is a quick run.
# NEWSBRIEF_SCALE_CACHE=DIR keeps each column's built data dir there for the next run.
bench-scale: $(STAMP) $(MO)
	$(BIN)/python -m benchmarks.scale

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
