"""A local batch worker process: ``python -m customer_snapshot.batch.worker_process FD``.

``FD`` is this process's end of a socket pair made by the parent
(:class:`~customer_snapshot.batch.executors.LocalExecutor`); the protocol is in
:func:`~customer_snapshot.batch.worker.worker_main`. A fresh interpreter rather than
``multiprocessing``'s spawn, so a worker never re-imports the caller's ``__main__`` script.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from customer_snapshot.batch.worker import worker_main


def main(argv: list[str]) -> int:
    """Serve the parent on the inherited file descriptor ``argv[0]``."""
    conn = Connection(int(argv[0]))
    try:
        worker_main(conn)
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
