"""Offline schema check of Terraform configuration against provider schemas.

``terraform validate`` needs the provider binaries, which cannot be installed everywhere.
This package checks the root module and its examples against provider schemas extracted
from the prebuilt CDK Terrain provider bindings published on PyPI (see :mod:`.fetch`):
unknown or missing arguments and blocks, blocks used as arguments (and the reverse),
references to attributes a resource does not export, module calls that do not match the
called module's variables and references to undeclared names.
"""
