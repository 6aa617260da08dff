"""Importers: bob's own files, a CalHEERS Book of Business workbook and HealthSherpa exports."""
