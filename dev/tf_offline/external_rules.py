"""Value rules of hashicorp/external: its one data source validates no value (the program must
exist and print a JSON object of strings, which the stand-in checks by running it, as the real
provider does)."""

from __future__ import annotations

from tf_offline.rules import TypeRules

RESOURCES: dict[str, TypeRules] = {}

DATA_SOURCES: dict[str, TypeRules] = {
    "external": TypeRules(
        unchecked={
            "program": "a command line: the provider runs it and reports a failure, which the stand-in does too",
            "query": "a map of strings passed to the program on stdin: any value",
        },
    ),
}
