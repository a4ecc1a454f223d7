"""The Flask application: ingest events, daily reports, S3 exports, and a health check."""

from __future__ import annotations

import datetime as dt

import sentry_sdk
from flask import Flask, abort, jsonify, request
from flask_cors import CORS
from marshmallow import ValidationError
from sentry_sdk.integrations.flask import FlaskIntegration

from . import db, export, notify, reports
from .config import Settings, load_settings
from .logs import configure_logging, log
from .schemas import events_schema


def _day_bounds(day: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        start = dt.datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)  # noqa: UP017 (the story runs 3.7)
    except ValueError:
        abort(400, description="day must be YYYY-MM-DD")
    return start, start + dt.timedelta(days=1)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    configure_logging()
    if settings.sentry_dsn:
        sentry_sdk.init(dsn=settings.sentry_dsn, integrations=[FlaskIntegration()], traces_sample_rate=0.05)

    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    CORS(app, origins=settings.cors_origins)

    def engine():
        return db.engine_for(settings.database_url)

    @app.get("/health")
    def health():
        # Liveness only: the database may be down while the process is fine, and a restart would not help.
        return jsonify(status="ok")

    @app.post("/events")
    def ingest():
        try:
            rows = events_schema.load(request.get_json(force=True))
        except ValidationError as error:
            return jsonify(errors=error.messages), 422
        count = db.insert_events(engine(), rows)
        log.info("events.ingested", count=count)
        return jsonify(ingested=count), 201

    @app.get("/reports/daily/<day>")
    def daily(day: str):
        start, end = _day_bounds(day)
        summary = reports.daily_summary(reports.events_frame(db.events_between(engine(), start, end)))
        if settings.webhook_url and request.args.get("notify") == "1":
            notify.post_report(settings.webhook_url, day, summary)
        return jsonify(day=day, rows=summary)

    @app.post("/exports/<day>")
    def export_day(day: str):
        start, end = _day_bounds(day)
        frame = reports.events_frame(db.events_between(engine(), start, end))
        key = f"{settings.export_prefix}{day}.parquet"
        location = export.upload(export.to_parquet(frame), settings.export_bucket, key)
        log.info("events.exported", day=day, rows=len(frame), location=location)
        return jsonify(location=location, rows=len(frame))

    return app
