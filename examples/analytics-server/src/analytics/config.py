"""Settings from the environment (twelve-factor); a .env file fills in what the environment lacks."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dotenv import load_dotenv

# The driver is named in the URL: SQLAlchemy imports psycopg2 from this string at connect time.
DEFAULT_DATABASE_URL = "postgresql+psycopg2://analytics@localhost:5432/analytics"


@dataclass(frozen=True)
class Settings:
    database_url: str
    export_bucket: str
    export_prefix: str
    webhook_url: str | None
    sentry_dsn: str | None
    cors_origins: str


def load_settings() -> Settings:
    # override=False: a variable set by the container wins over a stale .env copied into the image.
    load_dotenv(override=False)
    return Settings(
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        export_bucket=os.environ.get("EXPORT_BUCKET", "analytics-exports"),
        export_prefix=os.environ.get("EXPORT_PREFIX", "events/"),
        webhook_url=os.environ.get("REPORT_WEBHOOK_URL") or None,
        sentry_dsn=os.environ.get("SENTRY_DSN") or None,
        cors_origins=os.environ.get("CORS_ORIGINS", "*"),
    )
