"""Alembic environment: runs on the engine handed over in `config.attributes["engine"]`."""

from __future__ import annotations

from alembic import context

from monitor.storage.models import Base


def run() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:
        from monitor.config import database_url
        from monitor.storage.engine import make_engine

        engine = make_engine(database_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
