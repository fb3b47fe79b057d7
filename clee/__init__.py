"""CLEE: continuing law enforcement education records and compliance."""
