"""Small statistics helpers shared by the benchmarks."""

from __future__ import annotations

import statistics


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    millis = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(millis, 0.5), 1),
        "p95_ms": round(percentile(millis, 0.95), 1),
        "mean_ms": round(statistics.fmean(millis), 1) if millis else float("nan"),
    }


def rate(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else float("nan")
