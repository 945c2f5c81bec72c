"""Alembic environment: runs on the connection the app hands over (see display_server.schema)."""

from __future__ import annotations

from alembic import context

from display_server.models import Base
from display_server.trust import models as trust_models  # noqa: F401  (its tables)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
