"""The spec's documented import path for :class:`~customer_snapshot.config.Config`.

``from customer_snapshot.utils.config import Config`` is the same class as
``customer_snapshot.Config``.
"""

from __future__ import annotations

from customer_snapshot.config import Config

__all__ = ["Config"]
