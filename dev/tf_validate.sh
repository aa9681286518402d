#!/usr/bin/env bash
# `terraform init -backend=false && terraform validate` and tflint on the root and each example,
# and `terraform test` of tests/terraform/*.tftest.hcl, with the real providers.
# Needs terraform, tflint and the network (Terraform registry, GitHub for the tflint AWS ruleset).
# Exit codes: 0 all passed, 1 a check failed, 2 NOT RUN (a tool or the registry is missing) —
# never reported as a pass.
set -uo pipefail
cd "$(dirname "$0")/.."

not_run() { echo "tf-validate: NOT RUN: $*" >&2; exit 2; }
failed() { echo "tf-validate: FAILED: $*" >&2; exit 1; }

command -v terraform >/dev/null 2>&1 || not_run "terraform is not installed"
command -v tflint >/dev/null 2>&1 || not_run "tflint is not installed"
python3 - <<'PY' || not_run "registry.terraform.io is not reachable"
import sys, urllib.request
try:
    urllib.request.urlopen("https://registry.terraform.io/.well-known/terraform.json", timeout=10)
except Exception as error:  # any failure means: cannot validate here
    print(error, file=sys.stderr)
    sys.exit(1)
PY

dirs=(.)
for example in examples/*/; do dirs+=("${example%/}"); done

for dir in "${dirs[@]}"; do
  echo "== ${dir}: terraform init -backend=false && terraform validate"
  terraform -chdir="${dir}" init -backend=false -input=false -no-color -test-directory=tests/terraform >/dev/null || failed "terraform init in ${dir}"
  terraform -chdir="${dir}" validate -no-color || failed "terraform validate in ${dir}"
done

# The native tests with the real providers' schemas (mock_provider: nothing is created).
echo "== .: terraform test"
terraform test -no-color -test-directory=tests/terraform || failed "terraform test"

tflint --init >/dev/null || not_run "tflint --init could not install the AWS ruleset"
for dir in "${dirs[@]}"; do
  echo "== ${dir}: tflint"
  tflint --chdir="${dir}" --config="$(pwd)/.tflint.hcl" || failed "tflint in ${dir}"
done
echo "tf-validate: passed"
