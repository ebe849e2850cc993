"""Per-message REST latency of our bot against a stock `rasa init` bot, interleaved."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

from bench.stats import summary_ms


def post_message(base_url: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return time.perf_counter() - start


def compare(ours: str, reference: str, messages: list[str], warmup: int = 5) -> dict[str, Any]:
    """Send each message to both bots in turn, so drift on the machine hits both alike."""
    for text in messages[:warmup]:
        post_message(ours, "warmup", text)
        post_message(reference, "warmup", text)
    ours_s: list[float] = []
    reference_s: list[float] = []
    for text in messages:
        sender = f"lat-{uuid.uuid4().hex[:10]}"
        ours_s.append(post_message(ours, sender, text))
        reference_s.append(post_message(reference, sender, text))
    ours_summary = summary_ms(ours_s)
    reference_summary = summary_ms(reference_s)
    return {
        "messages": len(messages),
        "ours": ours_summary,
        "rasa_init": reference_summary,
        "p95_ratio": round(ours_summary["p95_ms"] / reference_summary["p95_ms"], 3),
    }
