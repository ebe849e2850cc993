"""Crisis screen benchmark: recall, false alarms and latency of the pure screen on the dev set.

Prints ONE JSON line. Run: PYTHONPATH=. python bench/crisis_screen.py [--misses]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bot.safety.screen import screen
from bot.settings import ROOT, load_yaml

DEV_FILE = ROOT / "bench" / "crisis_dev.yml"
ESCALATED = ("crisis", "emergency")


def load_cases(path: Path = DEV_FILE) -> list[dict]:
    data = load_yaml(path)
    cases = [
        {"text": m["text"], "history": [], "expect": m["expect"], "category": m["category"]}
        for m in data["messages"]
    ]
    for m in data.get("multi_turn", []):
        turns = list(m["turns"])
        cases.append(
            {
                "text": turns[-1],
                "history": turns[:-1],
                "expect": m["expect"],
                "category": m["category"],
                "multi_turn": True,
            }
        )
    return cases


def run(cases: list[dict]) -> tuple[dict, list[dict]]:
    latencies: list[float] = []
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    counts: dict[str, int] = defaultdict(int)
    correct: dict[str, int] = defaultdict(int)
    false_alarms = 0
    negatives = 0
    misses = []
    for case in cases:
        start = time.perf_counter()
        result = screen(case["text"], case["history"])
        latencies.append((time.perf_counter() - start) * 1000)
        got = result.level or "none"
        expect = case["expect"]
        counts[expect] += 1
        if expect in ESCALATED:
            ok = got in ESCALATED if expect == "crisis" else got == "emergency"
        elif expect == "concern":
            ok = got == "concern"
        else:
            ok = got == "none"
        if expect not in ESCALATED:
            negatives += 1
            if got in ESCALATED:
                false_alarms += 1
        correct[expect] += ok
        per_cat[case["category"]][0] += ok
        per_cat[case["category"]][1] += 1
        if not ok:
            misses.append({**case, "got": got, "reason": result.reason})
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]

    def rate(key: str) -> float:
        return round(correct[key] / counts[key], 4) if counts[key] else 1.0

    report = {
        "bench": "crisis_screen",
        "crisis_recall": rate("crisis"),
        "emergency_recall": rate("emergency"),
        "false_alarm_rate": round(false_alarms / negatives, 4) if negatives else 0.0,
        "concern_accuracy": rate("concern"),
        "none_accuracy": rate("none"),
        "per_category": {k: round(v[0] / v[1], 4) for k, v in sorted(per_cat.items())},
        "latency_ms": {
            "p50": round(statistics.median(latencies), 3),
            "p95": round(p95, 3),
        },
        "counts": {
            "cases": len(cases),
            **dict(sorted(counts.items())),
            "multi_turn": sum(1 for c in cases if c.get("multi_turn")),
            "false_alarms": false_alarms,
            "misses": len(misses),
        },
    }
    return report, misses


def main(argv: list[str]) -> int:
    screen("warm up")  # compile patterns outside the timed loop
    report, misses = run(load_cases())
    if "--misses" in argv:
        for miss in misses:
            print(json.dumps(miss), file=sys.stderr)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
