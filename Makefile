# Every target sets up what it needs itself: `make test` on a fresh machine installs a venv,
# the Python dev dependencies and the offline Terraform tooling, then runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help system-deps setup test lint typecheck pytest unit integration demo bench fuzz clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# Debian packages the suite needs: venv support for the interpreter, and shellcheck for the host agent.
system-deps: ## Install the Debian packages the tests need (apt-get; root)
	@missing=""; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	command -v shellcheck >/dev/null || missing="$$missing shellcheck"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml lambda_src/requirements.txt
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: system-deps $(STAMP) ## Create .venv with the package and its dev dependencies

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
