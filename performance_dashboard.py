#!/usr/bin/env python3
"""The performance dashboard: ``customer-snapshot dashboard`` as a script.

    python performance_dashboard.py [-o FILE] [--mode summary|comprehensive] [--serve --port N]

Writes one self-contained HTML page (default dashboard.html) charting the runs recorded in
SNAPSHOT_HOME's metrics store, or serves it on 127.0.0.1 with --serve.
"""

from __future__ import annotations

import sys

from customer_snapshot.cli import main

if __name__ == "__main__":
    sys.exit(main(["dashboard", *sys.argv[1:]]))
