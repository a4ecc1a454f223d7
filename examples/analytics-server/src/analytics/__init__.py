"""The analytics server: ingests product events into PostgreSQL, reports on them, exports them to S3."""
