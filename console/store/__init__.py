"""Persistence: typed SQLAlchemy models, the database handle, migrations, change log."""
