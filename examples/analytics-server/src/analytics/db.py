"""Events table and the engine; the engine is created lazily so /health never needs the database."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sqlalchemy import JSON, DateTime, Integer, String, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)


@lru_cache(maxsize=None)  # noqa: UP033 (functools.cache is 3.9+)
def engine_for(url: str) -> Engine:
    # pool_pre_ping: Postgres restarts and idle timeouts otherwise surface as errors on the next request.
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    Base.metadata.create_all(engine)
    return engine


def insert_events(engine: Engine, rows: list[dict]) -> int:
    with Session(engine) as session, session.begin():
        session.add_all(Event(**row) for row in rows)
    return len(rows)


def events_between(engine: Engine, start: dt.datetime, end: dt.datetime) -> list[dict]:
    query = select(Event).where(Event.occurred_at >= start, Event.occurred_at < end)
    with Session(engine) as session:
        return [
            {"name": e.name, "user_id": e.user_id, "occurred_at": e.occurred_at, "properties": e.properties}
            for e in session.scalars(query)
        ]
