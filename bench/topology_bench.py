"""`make bench-topology`: the production topology under load, 1 and 2 replicas, with a stock
`rasa init` bot as the reference. One JSON line per run, then one line on scaling.

Each run holds C conversations open at once (C = 10, 50, 100); every conversation sends its
messages one after the other over REST through nginx, as a person would. A run stops starting
new messages after RUN_SECONDS, so the whole benchmark stays bounded. Throughput is completed
messages per second of wall time; latencies are per message, seen by the client.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from bot.settings import load_yaml  # noqa: E402

CONCURRENCY = (10, 50, 100)
MESSAGES_PER_CONVERSATION = 20
RUN_SECONDS = float(os.environ.get("BENCH_RUN_SECONDS", "60"))
TARGET_SPEEDUP = 1.7

SMALL_TALK = ["hi", "hello there", "thanks", "ok", "good morning", "thank you, that helps"]
CRISIS = ["i want to kill myself", "everyone would be better off without me"]
REFERENCE_MESSAGES = ["hi", "I am sad", "yes", "no", "are you a bot?", "good", "bye", "great"]


def questions() -> list[str]:
    return [item["text"] for item in load_yaml(ROOT / "bench" / "answers_dev.yml")["in_scope"]]


def make_scripts(
    conversations: int, messages: int = MESSAGES_PER_CONVERSATION, seed: int = 8
) -> dict[str, list[str]]:
    """Reproducible conversations: mostly questions, some small talk, an occasional crisis."""
    pool = questions()
    rng = random.Random(seed)
    scripts: dict[str, list[str]] = {}
    for number in range(conversations):
        script = []
        for _ in range(messages):
            roll = rng.random()
            if roll < 0.03:
                script.append(rng.choice(CRISIS))
            elif roll < 0.25:
                script.append(rng.choice(SMALL_TALK))
            else:
                script.append(rng.choice(pool))
        scripts[f"topo-{seed}-{number:03d}"] = script
    return scripts


@dataclass
class Sent:
    sender: str
    index: int
    text: str
    url: str
    status: int
    replies: list[str]
    seconds: float
    error: str = ""
    started: float = 0.0  # time.monotonic() when the message was sent


@dataclass
class Run:
    sent: list[Sent] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok(self) -> list[Sent]:
        return [item for item in self.sent if item.status == 200]

    def summary(self) -> dict[str, Any]:
        latencies = [item.seconds for item in self.ok]
        statuses: dict[str, int] = {}
        for item in self.sent:
            key = str(item.status) if item.status else item.error or "error"
            statuses[key] = statuses.get(key, 0) + 1
        return {
            "messages": len(self.sent),
            "ok": len(self.ok),
            "statuses": statuses,
            "p50_s": round(percentile(latencies, 0.5), 3),
            "p95_s": round(percentile(latencies, 0.95), 3),
            "throughput_msg_s": round(len(self.ok) / self.wall_s, 2) if self.wall_s else 0.0,
            "wall_s": round(self.wall_s, 1),
        }


async def say(session: Any, url: str, sender: str, text: str, timeout: float = 120.0) -> Sent:
    """One REST message; the status, reply texts and client-side latency."""
    import aiohttp

    started = time.perf_counter()
    sent_at = time.monotonic()
    try:
        async with session.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            body = await response.read()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        elapsed = time.perf_counter() - started
        return Sent(sender, -1, text, url, 0, [], elapsed, type(error).__name__, sent_at)
    seconds = time.perf_counter() - started
    replies: list[str] = []
    if status == 200:
        try:
            replies = [str(m.get("text", "")) for m in json.loads(body or b"[]")]
        except ValueError:
            status = 0
    return Sent(sender, -1, text, url, status, replies, seconds, "", sent_at)


async def converse(
    scripts: dict[str, list[str]],
    urls: list[str],
    concurrency: int,
    run_seconds: float | None = None,
    pause: asyncio.Event | None = None,
) -> Run:
    """Run the scripts, `concurrency` conversations at a time, each message in turn; message i
    of a conversation goes to urls[(conversation number + i) % len(urls)], so with two replicas
    consecutive messages of one conversation alternate between them."""
    import aiohttp

    run = Run()
    started = time.perf_counter()
    deadline = started + run_seconds if run_seconds else None
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0)

    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(number: int, sender: str, script: list[str]) -> None:
            async with gate:
                for index, text in enumerate(script):
                    if deadline and time.perf_counter() > deadline:
                        return
                    if pause is not None:
                        await pause.wait()
                    url = urls[(number + index) % len(urls)]
                    item = await say(session, url, sender, text)
                    item.index = index
                    run.sent.append(item)

        await asyncio.gather(
            *(
                one(number, sender, script)
                for number, (sender, script) in enumerate(scripts.items())
            )
        )
    run.wall_s = time.perf_counter() - started
    return run


def load_run(url: str, concurrency: int, texts: list[str] | None = None) -> Run:
    """C conversations of up to 20 messages, capped at RUN_SECONDS."""
    if texts is None:
        scripts = make_scripts(concurrency, seed=random.randrange(10**6))
    else:
        rng = random.Random(concurrency)
        scripts = {
            f"ref-{uuid.uuid4().hex[:8]}": [rng.choice(texts) for _ in range(20)]
            for _ in range(concurrency)
        }
    return asyncio.run(converse(scripts, [url], concurrency, RUN_SECONDS))


def warm_up(url: str, texts: list[str]) -> None:
    asyncio.run(converse({f"warm-{uuid.uuid4().hex[:6]}": texts[:5]}, [url], 1))


LOADS: list[float] = []


def emit(record: dict[str, Any]) -> None:
    # The 1-minute load average shows whether something else on the machine shared the cores.
    LOADS.append(round(os.getloadavg()[0], 2))
    print(json.dumps({**record, "loadavg_1m": LOADS[-1]}), flush=True)


def main() -> int:
    from bench.reference_bot import ReferenceBot
    from bot.topology import SINGLE_THREAD, RedisSettings, Topology
    from tests.support.servers import create_postgres_database, drop_postgres_database

    os.environ.update(SINGLE_THREAD)  # the reference bot gets the same one-thread budget
    results: dict[tuple[str, int], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        reference = ReferenceBot(workdir).start()
        try:
            warm_up(reference.url, REFERENCE_MESSAGES)
            for concurrency in CONCURRENCY:
                summary = load_run(reference.url, concurrency, REFERENCE_MESSAGES).summary()
                results[("rasa_init", concurrency)] = summary
                emit(
                    {
                        "bench": "topology_load",
                        "bot": "rasa_init",
                        "replicas": 1,
                        "concurrency": concurrency,
                        **summary,
                    }
                )
        finally:
            reference.stop()
        for replicas in (1, 2):
            database = create_postgres_database("bot_bench")
            topology = Topology(
                workdir=workdir / f"r{replicas}",
                database_url=database,
                replicas=replicas,
                redis=RedisSettings(key_prefix=f"bench{uuid.uuid4().hex[:8]}"),
                worker=False,
            )
            try:
                topology.start()
                warm_up(topology.url, questions())
                for concurrency in CONCURRENCY:
                    summary = load_run(topology.url, concurrency).summary()
                    results[("ours", replicas, concurrency)] = summary  # type: ignore[index]
                    reference_tput = results[("rasa_init", concurrency)]["throughput_msg_s"]
                    emit(
                        {
                            "bench": "topology_load",
                            "bot": "ours",
                            "replicas": replicas,
                            "concurrency": concurrency,
                            **summary,
                            "throughput_vs_rasa_init": round(
                                summary["throughput_msg_s"] / reference_tput, 3
                            )
                            if reference_tput
                            else None,
                            "failed_processes": topology.failed(),
                        }
                    )
            finally:
                topology.stop()
                drop_postgres_database(database)
    speedups = {
        str(c): round(
            results[("ours", 2, c)]["throughput_msg_s"]  # type: ignore[index]
            / max(results[("ours", 1, c)]["throughput_msg_s"], 1e-9),  # type: ignore[index]
            3,
        )
        for c in CONCURRENCY
    }
    emit(
        {
            "bench": "topology_scaling",
            "speedup_2_vs_1_by_concurrency": speedups,
            "best_speedup": max(speedups.values()),
            "target": TARGET_SPEEDUP,
            "met": max(speedups.values()) >= TARGET_SPEEDUP,
            # Our own load is about one per replica; more than the cores means someone else's
            # work shared the machine during some runs, and the ratios are not to be trusted.
            "contended": max(LOADS) > (os.cpu_count() or 1),
            "cpu_count": os.cpu_count(),
            "run_seconds": RUN_SECONDS,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
