"""Casework: the actions enrollers take on CRW cases and help requests, each one checked
against the access rules of :mod:`rules.access` and written to the audit log."""
