"""The real Terraform core offline (dev/tf_offline): one CLI configuration for the session."""

from __future__ import annotations

import pytest

from support.terraform import REPO, TerraformTestRuns, run_terraform_test
from tf_offline.runner import OfflineTerraform, stage


@pytest.fixture(scope="session")
def offline_terraform(tmp_path_factory: pytest.TempPathFactory) -> OfflineTerraform:
    return OfflineTerraform(tmp_path_factory.mktemp("tf-offline"), REPO / ".cache" / "provider-schemas")


@pytest.fixture(scope="session")
def terraform_test_runs(
    offline_terraform: OfflineTerraform, tmp_path_factory: pytest.TempPathFactory
) -> TerraformTestRuns:
    """Every .tftest.hcl file of the module, run once for the session on a staged copy."""
    tree = stage(REPO, tmp_path_factory.mktemp("tf-test") / "repo")
    return run_terraform_test(offline_terraform, tree)
