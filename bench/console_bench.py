"""Staff console at scale: 10,000 synthetic conversations in Rasa's event format, then the list
and search pages timed over HTTP against the real console process. Prints one JSON line.

Run: PYTHONPATH=. .venv/bin/python bench/console_bench.py [--conversations N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store.db import make_engine, session_scope, upgrade  # noqa: E402
from bot.store.transcripts import refresh_summaries  # noqa: E402
from tests.integration.test_staff_support import (  # noqa: E402
    Console,
    create_events_table,
    crisis_turn,
    insert_events,
    question_turn,
    refusal_turn,
    session_rows,
)

QUESTIONS = [
    "what is heroin made from",
    "how long does withdrawal last",
    "can methadone help with depression",
    "does heroin cause depression",
    "i can't sleep since i stopped using",
    "how do i help my son who uses",
    "what does dual diagnosis mean",
    "is relapse normal",
]
TARGET_P95_MS = 300.0


def conversation(rng: random.Random, n: int, start: float) -> list[dict]:
    sender = f"bench-{n:05d}"
    channel = rng.choice(("telegram", "web", "rest"))
    rows = session_rows(sender, start)
    ts = start + 1
    for _ in range(rng.randint(2, 6)):
        roll = rng.random()
        if roll < 0.05:
            rows += crisis_turn(sender, ts)
        elif roll < 0.15:
            rows += refusal_turn(sender, ts, rng.choice(("who won", "write my essay")))
        else:
            question = rng.choice(QUESTIONS) + f" ({rng.randint(1, 10_000)})"
            rows += question_turn(sender, ts, question, f"p-{rng.randint(1, 60)}", channel)
        ts += rng.uniform(5, 120)
    return rows


def seed(url: str, count: int, seed_value: int = 7) -> int:
    rng = random.Random(seed_value)
    engine = make_engine(url)
    create_events_table(engine)
    now = time.time()
    batch: list[dict] = []
    events = 0
    for n in range(count):
        batch += conversation(rng, n, now - rng.uniform(0, 90 * 86400))
        if len(batch) > 20_000:
            insert_events(engine, batch)
            events += len(batch)
            batch = []
    if batch:
        insert_events(engine, batch)
        events += len(batch)
    return events


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(client, path: str, params: dict) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    answer = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{path} {params} answered {answer.status_code}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'console_bench.db'}"
        upgrade(url)
        started = time.perf_counter()
        events = seed(url, args.conversations)
        seed_s = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope(make_engine(url)) as session:
            refresh_summaries(session)  # the one-off catch-up a first console start does
        index_s = time.perf_counter() - started
        console = Console(workdir, url)
        console.add_user("bench", "reviewer")
        console.start()
        try:
            client = console.client()
            client.login("bench")
            rng = random.Random(11)
            list_params = [
                {},
                {"crisis": "1"},
                {"refused": "1", "channel": "web"},
                {"reviewed": "no"},
                {"page": "50"},
                {"page": "150"},
            ]
            search_params = [{"q": "withdrawal"}, {"q": "methadone depression"}, {"q": "relapse"}]
            client.get("/conversations")  # warm-up
            list_ms = [
                timed(client, "/conversations", rng.choice(list_params))
                for _ in range(args.requests)
            ]
            search_ms = [
                timed(client, "/conversations", {**rng.choice(search_params), "page": "2"})
                for _ in range(args.requests)
            ]
        finally:
            console.stop()
    result = {
        "bench": "console",
        "conversations": args.conversations,
        "events": events,
        "seed_s": round(seed_s, 1),
        "initial_index_s": round(index_s, 1),
        "list_p50_ms": round(sorted(list_ms)[len(list_ms) // 2], 1),
        "list_p95_ms": round(p95(list_ms), 1),
        "search_p50_ms": round(sorted(search_ms)[len(search_ms) // 2], 1),
        "search_p95_ms": round(p95(search_ms), 1),
        "target_p95_ms": TARGET_P95_MS,
        "pass": p95(list_ms) < TARGET_P95_MS and p95(search_ms) < TARGET_P95_MS,
    }
    print(json.dumps(result), flush=True)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
