"""Daily Summary topics as data, their set-based selectors and the alert ledger."""
