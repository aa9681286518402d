"""Serve a Main and a Destination console until Ctrl-C (for manual experiments).

Tokens come from ``QRADAR_SIM_MAIN_TOKEN`` and ``QRADAR_SIM_DEST_TOKEN``.
"""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import sys
import tempfile
import threading

from qradar_simulator.ca import CertificateAuthority
from qradar_simulator.sites import destination_site, main_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qradar_simulator", description=__doc__)
    parser.add_argument("--main-port", type=int, default=0)
    parser.add_argument("--dest-port", type=int, default=0)
    parser.add_argument("--deploy-seconds", type=float, default=5.0)
    parser.add_argument("--ca-dir", type=pathlib.Path, default=None, help="default: a temporary directory")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    tokens = {site: os.environ.get(f"QRADAR_SIM_{site.upper()}_TOKEN", "") for site in ("main", "dest")}
    missing = [f"QRADAR_SIM_{site.upper()}_TOKEN" for site, token in tokens.items() if not token]
    if missing:
        print(f"set {' and '.join(missing)} first", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    ca_dir = args.ca_dir or pathlib.Path(tempfile.mkdtemp(prefix="qradar-sim-ca-"))
    ca = CertificateAuthority.create(ca_dir)
    main = main_site(ca, tokens["main"], deploy_seconds=args.deploy_seconds, port=args.main_port)
    destination = destination_site(ca, tokens["dest"], deploy_seconds=args.deploy_seconds, port=args.dest_port)
    with main, destination:
        print(f"CA bundle:         {ca.bundle_path}")
        print(f"MAIN_SITE_ADDRESS={main.address}")
        print(f"DEST_SITE_ADDRESS={destination.address}")
        print("Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
