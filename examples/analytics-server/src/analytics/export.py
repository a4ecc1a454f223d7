"""Exports a day of events to S3 as Parquet, the format the data team's warehouse loads."""

from __future__ import annotations

import io

import boto3
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from botocore.config import Config

# Exports run inside a request: fail fast rather than hold a worker through botocore's default retries.
_S3_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def to_parquet(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame.drop(columns=["properties"]), preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy")
    return buffer.getvalue()


def upload(body: bytes, bucket: str, key: str) -> str:
    s3 = boto3.client("s3", config=_S3_CONFIG)
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/vnd.apache.parquet")
    return f"s3://{bucket}/{key}"
