"""Daily reports: events per name per day and distinct users, computed with pandas."""

from __future__ import annotations

import pandas as pd


def events_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["name", "user_id", "occurred_at", "properties"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def daily_summary(frame: pd.DataFrame) -> list[dict]:
    if frame.empty:
        return []
    frame = frame.assign(day=frame["occurred_at"].dt.strftime("%Y-%m-%d"))
    summary = (
        frame.groupby(["day", "name"])
        .agg(events=("user_id", "size"), users=("user_id", "nunique"))
        .reset_index()
        .sort_values(["day", "events"], ascending=[True, False])
    )
    return summary.to_dict(orient="records")
