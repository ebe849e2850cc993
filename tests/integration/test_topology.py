"""The production topology for real: two Rasa replicas behind nginx, one PostgreSQL tracker store,
a Redis lock store (a private redis-server, so it can be killed), the action server and the staff
console, all started by `bot.topology.Topology`, the code behind `python -m bot run-production`.

Consistency: 50 conversations x 20 messages, many at once, consecutive messages of a conversation
sent alternately to the two replicas. Rasa's `events` table must then hold every message exactly
once, in order, each followed by the replies its sender saw; and every reply must equal what a
single replica (the newcomer's SQLite default) answers to the same script.

Faults run after that, in order: the action server killed under load, PostgreSQL restarted
under load, and Redis killed (the test states what then happens; deploy/README.md says why).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from bench.topology_bench import Run, converse, make_scripts
from bot.store.db import make_engine, session_scope
from bot.topology import RedisSettings, Topology
from tests.support.servers import (
    MODEL,
    RedisServer,
    RunningBot,
    create_postgres_database,
    drop_postgres_database,
    free_port,
    postgres_available,
    wait_for_http,
)

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

CONVERSATIONS = 50
MESSAGES = 20
CONCURRENCY = 25
CRISIS = "i want to kill myself"
QUESTION = "how does heroin use affect depression"
# Specific questions from bench/answers_dev.yml, answered by the action server.
ANSWERED = [
    "what proportion of heroin addicts also suffer from depression",
    "how much higher is major depression in people entering heroin treatment",
]


def degraded_text() -> str:
    from bot.settings import ROOT, load_yaml

    return load_yaml(ROOT / "domain.yml")["responses"]["utter_service_degraded"][0]["text"]


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    url = create_postgres_database("bot_topology")
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """One replica on the SQLite default, as `make run` starts it: the reference replies."""
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does)")
    workdir = tmp_path_factory.mktemp("single")
    running = RunningBot(workdir=workdir, database_url=f"sqlite:///{workdir / 'bot.db'}")
    # Started without waiting, so it loads while the topology loads.
    running.migrate()
    running.actions.start()
    running.rasa.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def topology(
    database: str, redis: RedisServer, single: RunningBot, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Topology]:
    running = Topology(
        workdir=tmp_path_factory.mktemp("topology"),
        database_url=database,
        replicas=2,
        redis=RedisSettings(port=redis.port, key_prefix="topologytest"),
        staff_port=free_port(),
    )
    running.start()
    wait_for_http(f"{single.url}/", process=single.rasa.popen)
    wait_for_http(f"http://127.0.0.1:{single.action_port}/health", 60, single.actions.popen)
    yield running
    running.stop()


def post(url: str, body: dict[str, Any] | None = None, raw: bytes | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body or {}).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def say(url: str, sender: str, message: str) -> tuple[int, list[str]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, [m.get("text", "") for m in json.loads(response.read())]
    except urllib.error.HTTPError as error:
        return error.code, []
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, []


def events_by_sender(database: str, senders: list[str]) -> dict[str, list[dict[str, Any]]]:
    engine = make_engine(database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, sender_id, type_name, timestamp, data FROM events "
                    "WHERE sender_id = ANY(:senders) ORDER BY id"
                ),
                {"senders": senders},
            ).all()
    finally:
        engine.dispose()
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row.sender_id].append(
            {
                "id": row.id,
                "type": row.type_name,
                "timestamp": row.timestamp,
                "data": json.loads(row.data),
            }
        )
    return found


def turns(events: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(user text, the bot texts after it) for each user message, in stored order."""
    result: list[tuple[str, list[str]]] = []
    for event in events:
        if event["type"] == "user":
            result.append((event["data"].get("text") or "", []))
        elif event["type"] == "bot" and result:
            result[-1][1].append(event["data"].get("text") or "")
    return result


def joined(texts: list[str]) -> str:
    """Rasa's REST channel sends a bot event's text as one message per paragraph."""
    return "\n\n".join(texts)


def by_message(run: Run) -> dict[tuple[str, int], list[str]]:
    return {(item.sender, item.index): item.replies for item in run.sent}


# -- consistency -----------------------------------------------------------------------------


def test_two_replicas_lose_duplicate_and_reorder_nothing(
    topology: Topology, single: RunningBot, database: str
) -> None:
    scripts = make_scripts(CONVERSATIONS, MESSAGES, seed=2026)
    reference_scripts = {f"ref-{sender}": script for sender, script in scripts.items()}

    async def together() -> tuple[Run, Run]:
        # At once: the single replica uses the core the two replicas leave idle between turns.
        both, alone = await asyncio.gather(
            converse(scripts, topology.replica_urls, CONCURRENCY),
            converse(reference_scripts, [single.url], CONCURRENCY),
        )
        return both, alone

    both, alone = asyncio.run(together())

    assert len(both.sent) == CONVERSATIONS * MESSAGES
    assert [item for item in both.sent if item.status != 200] == []
    assert [item for item in alone.sent if item.status != 200] == []
    # Both replicas really served this conversation mix.
    assert {item.url for item in both.sent} == set(topology.replica_urls)

    stored = events_by_sender(database, list(scripts))
    replies = by_message(both)
    for sender, script in scripts.items():
        events = stored[sender]
        ids = [event["id"] for event in events]
        assert ids == sorted(set(ids))
        stamps = [event["timestamp"] for event in events]
        assert stamps == sorted(stamps), f"{sender}: timestamps out of order"
        stored_turns = turns(events)
        # Every message once, in the order sent: nothing lost, duplicated or reordered.
        assert [user for user, _ in stored_turns] == script, sender
        for index, (_, bot_texts) in enumerate(stored_turns):
            assert joined(bot_texts) == joined(replies[(sender, index)]), (sender, index)

    reference = by_message(alone)
    mismatches = [
        (sender, index)
        for sender, script in scripts.items()
        for index in range(len(script))
        if replies[(sender, index)] != reference[(f"ref-{sender}", index)]
    ]
    assert mismatches == []


def test_messages_of_one_conversation_arriving_together_are_handled_one_at_a_time(
    topology: Topology, database: str
) -> None:
    """Two messages of one person at the same instant, one to each replica: the Redis lock makes
    one wait for the other, so the stored turns never interleave."""
    senders = [f"burst-{n}" for n in range(10)]
    first, second = topology.replica_urls

    async def burst() -> Run:
        scripts_a = {sender: [QUESTION] for sender in senders}
        scripts_b = {sender: ["hello"] for sender in senders}
        runs = await asyncio.gather(
            converse(scripts_a, [first], len(senders)), converse(scripts_b, [second], len(senders))
        )
        return Run(runs[0].sent + runs[1].sent, max(r.wall_s for r in runs))

    run = asyncio.run(burst())
    assert [(i.sender, i.url, i.status, i.error) for i in run.sent if i.status != 200] == []
    replies = {(item.sender, item.text): item.replies for item in run.sent}
    stored = events_by_sender(database, senders)
    for sender in senders:
        stored_turns = turns(stored[sender])
        assert sorted(user for user, _ in stored_turns) == sorted([QUESTION, "hello"])
        for user, bot_texts in stored_turns:
            assert joined(bot_texts) == joined(replies[(sender, user)]), sender


# -- staff console and takeover across replicas ---------------------------------------------


def test_takeover_through_the_balancer_silences_both_replicas_and_reaches_the_widget(
    topology: Topology, database: str
) -> None:
    from bot.staff.takeover import RasaApi, hand_back, send, take_over

    first, second = (f"{url}/webhooks/web" for url in topology.replica_urls)
    wait_for_http(f"http://127.0.0.1:{topology.staff_port}/", timeout=30)
    session_token = post(f"{first}/session")["token"]  # issued by replica 1 ...
    hello = post(f"{second}/message", {"token": session_token, "text": "hello"})  # ... used on 2
    assert hello["messages"]
    sender = session_token.split(".")[0]

    rasa = RasaApi(topology.url, topology.token)
    engine = make_engine(database)

    async def staff(action: Any, *args: Any) -> Any:
        from bot.store.transcripts import refresh_summaries

        with session_scope(engine) as session:
            refresh_summaries(session)  # what opening the conversation in the console does
            return await action(session, rasa, sender, "nurse", *args)

    try:
        asyncio.run(staff(take_over))
        for replica in (first, second):
            paused = post(f"{replica}/message", {"token": session_token, "text": QUESTION})
            assert paused["messages"] == []  # the bot stays silent on either replica
        asyncio.run(staff(send, "Hi, this is Sam from the admissions team."))
        texts: list[str] = []
        cursor = 0
        deadline = time.monotonic() + 30
        replica = first
        while "Hi, this is Sam from the admissions team." not in texts:
            assert time.monotonic() < deadline, texts
            found = post(f"{replica}/updates", {"token": session_token, "after": cursor})
            texts += [item["text"] for item in found["messages"]]
            cursor = found["cursor"]
            replica = second if replica == first else first
        asyncio.run(staff(hand_back))
        resumed = post(f"{second}/message", {"token": session_token, "text": "hello"})
        assert resumed["messages"]
    finally:
        engine.dispose()


# -- faults ----------------------------------------------------------------------------------


def background(scripts: dict[str, list[str]], urls: list[str], concurrency: int) -> Any:
    """Run conversations in a thread; returns (thread, holder) with holder['run'] at the end."""
    holder: dict[str, Run] = {}

    def target() -> None:
        holder["run"] = asyncio.run(converse(scripts, urls, concurrency))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, holder


MESSAGES_EACH = 30


def test_action_server_killed_mid_load_crisis_replies_continue(topology: Topology) -> None:
    questions = ANSWERED
    scripts = {
        f"kill-{n}": [
            CRISIS if (n + i) % 3 == 0 else questions[i % len(questions)]
            for i in range(MESSAGES_EACH)
        ]
        for n in range(12)
    }
    thread, holder = background(scripts, [topology.url], 12)
    # Early enough that most of the load comes after the kill, however fast the machine is.
    time.sleep(2)
    killed_at = time.monotonic()
    topology.children["actions-1"].signal(signal.SIGKILL)
    thread.join(timeout=240)
    run: Run = holder["run"]
    degraded = degraded_text()
    try:
        assert len(run.sent) == 12 * MESSAGES_EACH
        assert [item.status for item in run.sent if item.status != 200] == []
        after = [item for item in run.sent if item.started > killed_at + 1]
        assert after, "the load ended before the action server was killed"
        answers_after = [item for item in after if item.text != CRISIS]
        for item in after:
            if item.text == CRISIS:
                assert "988" in "\n".join(item.replies), item
        # Answers need the action server: they became the polite degraded reply. A question
        # the model refuses never needed the action server, so it gets its refusal as usual;
        # either way nobody meets silence and no passage is quoted.
        for item in answers_after:
            assert item.replies, item
            assert "Source:" not in joined(item.replies), item
        assert any(degraded in joined(item.replies) for item in answers_after)
        assert topology.failed() == ["actions-1"]
    finally:
        topology.children["actions-1"].start()
        wait_for_http(f"http://127.0.0.1:{topology.action_ports[0]}/health", timeout=60)
    status, replies = say(topology.url, "kill-after", ANSWERED[0])
    assert status == 200 and degraded not in joined(replies)


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_postgres_restart_mid_load_no_crash_and_recovery(topology: Topology, database: str) -> None:
    scripts = {f"pg-{n}": [QUESTION, "hello", CRISIS, "thanks"] * 5 for n in range(8)}
    thread, holder = background(scripts, topology.replica_urls, 8)
    time.sleep(4)
    restart_postgres()
    back_at = time.monotonic()
    thread.join(timeout=300)
    run: Run = holder["run"]
    assert len(run.sent) == 8 * 20
    assert topology.failed() == []  # no replica, action server or worker died

    # Recovery by itself: fresh conversations on both replicas are answered soon after.
    deadline = back_at + 60
    ok_in_a_row = 0
    attempt = 0
    while ok_in_a_row < 6:
        assert time.monotonic() < deadline, "the bot did not recover within 60 s"
        url = topology.replica_urls[attempt % 2]
        status, replies = say(url, f"pg-after-{attempt}", CRISIS)
        ok_in_a_row = ok_in_a_row + 1 if status == 200 and "988" in "\n".join(replies) else 0
        attempt += 1
    # Messages sent well after the restart were all answered and all stored, in order.
    late = [item for item in run.sent if item.started > back_at + 10]
    assert all(item.status == 200 for item in late)
    stored = events_by_sender(database, list(scripts))
    lost = 0
    for sender in scripts:
        stored_texts = [user for user, _ in turns(stored[sender])]
        sent = sorted((i for i in run.sent if i.sender == sender), key=lambda i: i.index)
        lost += len(sent) - len(stored_texts)
        late_texts = [item.text for item in sent if item.started > back_at + 10]
        if late_texts:
            assert stored_texts[-len(late_texts) :] == late_texts, sender
    # During the outage Rasa falls back to an in-memory tracker (see deploy/README.md): the
    # figure is printed, not hidden.
    print(
        json.dumps(
            {
                "fault": "postgres_restart",
                "messages": len(run.sent),
                "non_200": sum(item.status != 200 for item in run.sent),
                "turns_missing_from_events": lost,
            }
        )
    )
    assert topology.failed() == []


def test_redis_down_messages_go_unanswered_then_recover_without_restart(
    topology: Topology, redis: RedisServer
) -> None:
    """Documented behaviour (deploy/README.md, "Redis down"): while Redis is down no replica can
    take the conversation lock, and Rasa 3.6's REST channel answers 200 with no messages at all,
    crisis messages included; the failure is logged. Nothing crashes, and the replicas recover
    by themselves as soon as Redis is back. This test pins that down so a change shows."""
    redis.kill()
    try:
        down = [say(url, f"redis-down-{n}", CRISIS) for n, url in enumerate(topology.replica_urls)]
        assert down == [(200, []), (200, [])]
        assert topology.failed() == []
    finally:
        RedisServer(redis.workdir, port=redis.port).start()
    for n, url in enumerate(topology.replica_urls):
        status, replies = say(url, f"redis-back-{n}", CRISIS)
        assert status == 200 and "988" in "\n".join(replies)
    assert topology.failed() == []
    logs = "".join(
        (topology.workdir / f"rasa-{n + 1}.log").read_text(errors="replace") for n in range(2)
    )
    assert "LockError" in logs
