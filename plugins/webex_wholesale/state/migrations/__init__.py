"""Alembic migrations of the state database, shipped inside the package (run by ``wholesale-queue db upgrade``)."""
