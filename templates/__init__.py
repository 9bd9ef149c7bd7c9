"""Templates shipped with customer-snapshot (installed as ``customer_snapshot.templates``)."""
