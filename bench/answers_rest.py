"""Answer accuracy, refusal rate and latency over the REST channel of the real bot."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.replies import quoted_passage
from bench.stats import rate, summary_ms
from bot.knowledge import load_knowledge
from bot.settings import load_yaml
from tests.support.servers import RunningBot, texts


def timed_say(bot: RunningBot, sender: str, text: str) -> tuple[list[dict], float]:
    start = time.perf_counter()
    messages = bot.say(sender, text)
    return messages, time.perf_counter() - start


def evaluate(bot: RunningBot, dataset: Path) -> dict[str, Any]:
    data = load_yaml(dataset)
    knowledge = load_knowledge()
    correct = 0
    misses: Counter[str] = Counter()
    latencies: list[float] = []
    for item in data["in_scope"]:
        messages, seconds = timed_say(bot, f"bench-{uuid.uuid4().hex[:12]}", item["text"])
        latencies.append(seconds)
        passage_id = quoted_passage(texts(messages))
        passage = knowledge.passage(passage_id) if passage_id else None
        ok = passage is not None and (
            passage.topic == item["topic"] or passage.id in item.get("passages", [])
        )
        correct += ok
        if not ok:
            misses[item["topic"]] += 1
    refused = 0
    for item in data["out_of_scope"]:
        messages, seconds = timed_say(bot, f"bench-{uuid.uuid4().hex[:12]}", item["text"])
        latencies.append(seconds)
        refused += quoted_passage(texts(messages)) is None
    return {
        "in_scope": len(data["in_scope"]),
        "top1_accuracy": rate(correct, len(data["in_scope"])),
        "out_of_scope": len(data["out_of_scope"]),
        "refusal_rate": rate(refused, len(data["out_of_scope"])),
        "misses_by_topic": dict(misses),
        "latency": summary_ms(latencies),
        "latencies_s": latencies,
    }
