"""``python -m customer_snapshot``."""

import sys

from customer_snapshot.cli import main

if __name__ == "__main__":
    sys.exit(main())
