# Every target sets up what it needs itself: `make test` on a fresh machine installs a venv,
# the Python dev dependencies and the offline Terraform tooling, then runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup test lint typecheck pytest unit integration demo bench fuzz clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml lambda_src/requirements.txt
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-venv; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(STAMP) ## Create .venv with the package and its dev dependencies

test: setup lint typecheck pytest ## The whole suite (the README's test command; .ci/run calls it)

lint: setup ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup ## mypy (strict on lambda_src)
	$(BIN)/mypy

pytest: setup ## Unit, integration and Terraform tests
	$(BIN)/pytest

unit: setup ## Unit tests only
	$(BIN)/pytest tests/unit

integration: setup ## Integration tests (simulator over HTTPS + moto)
	$(BIN)/pytest tests/integration

clean: ## Remove the venvs and caches
	rm -rf $(VENV) .venv-* .pytest_cache .mypy_cache .ruff_cache .hypothesis builds
