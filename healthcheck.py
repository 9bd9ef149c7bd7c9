#!/usr/bin/env python3
"""Health check of a customer-snapshot install: ``customer-snapshot health`` as a script.

    python healthcheck.py [--json]

Checks that the spaCy pipeline loads, that a tiny embedded transcript renders end to end,
that SNAPSHOT_HOME is writable and that memory is within MEMORY_LIMIT_MB (container-aware).
Exit 0 when healthy, 1 when not; never uses the network. The Docker image runs it as its
HEALTHCHECK and installs it as /usr/local/bin/healthcheck.py.
"""

from __future__ import annotations

import sys

from customer_snapshot.cli import main

if __name__ == "__main__":
    sys.exit(main(["health", *sys.argv[1:]]))
