"""Operations: the run metrics store, its Prometheus export, the dashboard and the health check.

Nothing here is imported by the pipeline; the CLI (``process``), batch mode and the ``metrics``,
``dashboard`` and ``health`` commands call in. Importing this package is cheap: the modules
import what they need.
"""

from __future__ import annotations
