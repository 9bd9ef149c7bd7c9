"""The memory spec's test suite: ``python test_memory_optimization.py`` (exit 1 on a failure).

A thin entry point onto :mod:`customer_snapshot.utils.selftest`, where the checks live (so an
installed package can check itself: ``python -m customer_snapshot.utils.selftest``)::

    python -c "from test_memory_optimization import MemoryOptimizationTester; \\
        t = MemoryOptimizationTester(); t.test_streaming_vtt_reader()"

pytest collects the same checks through :class:`TestMemoryOptimization`.
"""

from __future__ import annotations

import sys

from customer_snapshot.utils.selftest import MemoryOptimizationTester, main

__all__ = ["MemoryOptimizationTester", "TestMemoryOptimization"]


class TestMemoryOptimization(MemoryOptimizationTester):
    """The checks, collected by pytest (each method of the tester is a test).

    No pytest import: the script runs where only the package is installed.
    """

    def teardown_method(self, method: object) -> None:
        self.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
