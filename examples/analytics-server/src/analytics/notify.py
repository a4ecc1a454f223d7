"""Posts a finished report to a webhook (the team's chat); retried, because chat services hiccup."""

from __future__ import annotations

import requests
from tenacity import retry, stop_after_attempt, wait_exponential


@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.5, max=4), reraise=True)
def post_report(url: str, day: str, summary: list[dict]) -> None:
    response = requests.post(url, json={"day": day, "rows": summary}, timeout=5)
    response.raise_for_status()
