"""Everything a command needs, built once from the config: engine, sessions, settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from app.config import Config
from mailer.settings import DeliverySettings
from store.db import DatabaseError, check_connection, make_engine, session_factory


@dataclass
class Runtime:
    config: Config

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.config.database.url)
        check_connection(engine)
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    def close(self) -> None:
        """Return pooled connections; a command ends with this."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    def has_schema(self) -> bool:
        """Whether bob's migrations ever ran on this database."""
        return inspect(self.engine).has_table("alembic_version")

    def require_schema(self) -> None:
        """Refuse to work on a database that was never set up."""
        if not self.has_schema():
            raise DatabaseError(
                "the database has no bob schema yet; run `bob db upgrade` (or `bob demo`) first"
            )

    @property
    def delivery(self) -> DeliverySettings:
        """What a Daily Summary run takes from ``[smtp]``, ``[mail]`` and ``[schedule]``."""
        return DeliverySettings(
            from_address=self.config.smtp.from_address,
            mailbox_hint=self.config.mail.mailbox_hint,
            include_pii_in_email=self.config.mail.include_pii_in_email,
            lease=timedelta(seconds=self.config.schedule.run_lease_seconds),
            web_base_url=self.config.web.base_url,
            unsubscribe_secret=self.config.web.unsubscribe_secret,
            unsubscribe_address=self.config.mail.unsubscribe_address,
        )
