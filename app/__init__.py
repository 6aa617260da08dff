"""Composition root: typed config, the `bob` CLI and `bob serve` wiring."""
