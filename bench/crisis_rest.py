"""Crisis recall, emergency recall (911 first) and false alarms over REST, per category."""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.replies import emergency_first, escalation_level
from bench.stats import rate
from bot.safety.resources import load_resources
from bot.settings import load_yaml
from tests.support.servers import RunningBot


def conversation(bot: RunningBot, turns: list[str]) -> list[dict]:
    sender = f"crisis-bench-{uuid.uuid4().hex[:12]}"
    messages: list[dict] = []
    for turn in turns:
        messages = bot.say(sender, turn)
    return messages


def evaluate(bot: RunningBot, dataset: Path) -> dict[str, Any]:
    data = load_yaml(dataset)
    number = load_resources().emergency[0]
    cases = [([m["text"]], m["expect"], m["category"]) for m in data["messages"]]
    cases += [(m["turns"], m["expect"], f"multi_turn:{m['category']}") for m in data["multi_turn"]]
    per_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    missed: list[str] = []
    for turns, expect, category in cases:
        messages = conversation(bot, turns)
        level = escalation_level(messages)
        bucket = per_category[category]
        bucket["n"] += 1
        if expect == "crisis":
            hit = level in ("crisis", "emergency")
        elif expect == "emergency":
            hit = level == "emergency" and emergency_first(messages, number)
        else:
            hit = level not in ("crisis", "emergency")
            totals["false_alarms"] += not hit
        totals[f"{expect}_n"] += 1
        totals[f"{expect}_hit"] += hit
        bucket["ok"] += hit
        if not hit:
            missed.append(f"{expect}: {turns[-1][:60]}")
    negatives = totals["none_n"] + totals["concern_n"]
    return {
        "crisis_recall": rate(totals["crisis_hit"], totals["crisis_n"]),
        "emergency_recall_911_first": rate(totals["emergency_hit"], totals["emergency_n"]),
        "false_alarm_rate": rate(totals["false_alarms"], negatives),
        "counts": {
            "crisis": totals["crisis_n"],
            "emergency": totals["emergency_n"],
            "non_crisis": negatives,
        },
        "per_category": {k: f"{v['ok']}/{v['n']}" for k, v in sorted(per_category.items())},
        "missed": missed[:20],
    }
