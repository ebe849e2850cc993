"""The staff console against the real bot: conversations happen over Rasa's REST channel, and
the console reads them from the same database, over HTTP, as staff would."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.store.db import make_engine, session_scope
from bot.store.erasure import erase_sender
from bot.store.models import OutboxMessage
from tests.integration.test_staff_support import Console, StaffClient
from tests.support.servers import RunningBot

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:6]
CRISIS = f"crisis-{RUN}"
ASKER = f"asker-{RUN}"
SCRIPT = f"script-{RUN}"
ADMISSIONS = f"admit-{RUN}"


@pytest.fixture(scope="module")
def console(bot: RunningBot, tmp_path_factory) -> Iterator[Console]:
    bot.say(CRISIS, "I want to kill myself")
    bot.say(ASKER, "what is heroin?")
    bot.say(SCRIPT, "<script>alert('x')</script> hello")
    bot.say(ADMISSIONS, "I want to talk to admissions")
    running = Console(tmp_path_factory.mktemp("console"), bot.database_url, bot.url, bot.token)
    running.add_user("ada", "admin")
    running.add_user("rev", "reviewer")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def admin(console: Console) -> StaffClient:
    client = console.client()
    assert client.login("ada").status_code == 303
    return client


@pytest.fixture
def reviewer(console: Console) -> StaffClient:
    client = console.client()
    assert client.login("rev").status_code == 303
    return client


GET_PAGES = [
    "/",
    "/conversations",
    f"/conversations/{CRISIS}",
    "/conversations/export.json",
    "/conversations/export.csv",
    f"/conversations/{CRISIS}/export.json",
    f"/conversations/{CRISIS}/export.csv",
    "/annotations/export.yml",
    "/admissions",
    "/admissions/1",
    "/audit",
    "/users",
]
POSTS = ["review", "tags", "notes", "annotate", "takeover", "send", "handback"]


def test_no_page_or_export_without_login(console):
    client = console.client()
    for path in GET_PAGES:
        answer = client.get(path)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/login"), path
    for action in POSTS:
        answer = client.post(f"/conversations/{CRISIS}/{action}", {"text": "x", "reviewed": "1"})
        assert answer.status_code == 303, action
    assert client.post("/admissions/1/status", {"status": "closed"}).status_code == 303


def test_login_cookie_is_httponly_strict(console):
    client = console.client()
    answer = client.login("ada")
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "staff_session" in c)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_wrong_passwords_lock_the_account(console):
    console.add_user("locky", "reviewer")
    client = console.client()
    for _ in range(5):
        assert client.login("locky", "not the password").status_code == 401
    locked = client.login("locky")  # the right password, too late
    assert locked.status_code == 401 and "locked" in locked.text
    assert "staff_session" not in client.http.cookies


def test_missing_or_wrong_csrf_token_is_403(admin):
    url = f"/conversations/{ASKER}/notes"
    assert admin.http.post(url, data={"text": "no token"}).status_code == 403
    assert admin.http.post(url, data={"text": "bad", "csrf_token": "nope"}).status_code == 403
    login = admin.http.post("/login", data={"username": "ada", "password": "x"})
    assert login.status_code == 403
    page = admin.get(f"/conversations/{ASKER}")
    assert "no token" not in page.text


def test_reviewer_cannot_reach_admin_pages(reviewer, admin):
    for path in ("/audit", "/users"):
        assert reviewer.get(path).status_code == 403
        assert admin.get(path).status_code == 200


def test_logout_ends_the_session(console):
    client = console.client()
    client.login("rev")
    stolen = client.http.cookies.get("staff_session")
    assert client.post("/logout").status_code == 303
    replay = console.client()
    replay.http.cookies.set("staff_session", stolen)
    assert replay.get("/conversations").status_code == 303


def test_crisis_filter_and_search(admin):
    crisis = admin.get("/conversations", params={"crisis": "1"}).text
    assert CRISIS in crisis and ASKER not in crisis
    found = admin.get("/conversations", params={"q": "what is HEROIN"}).text
    assert ASKER in found and CRISIS not in found
    handoff = admin.get("/conversations", params={"handoff_requested": "1"}).text
    assert ADMISSIONS in handoff and ASKER not in handoff


def test_transcript_shows_intents_passages_crisis_reason_and_slots(admin):
    page = admin.get(f"/conversations/{ASKER}").text
    assert "ask_what_is_heroin" in page and "p-" in page  # intent and passage id
    assert "last_passage_id" in page  # slots table
    crisis = admin.get(f"/conversations/{CRISIS}").text
    assert "kill myself" in crisis and "suicidal" in crisis  # the screen's reason
    assert "safety_level" in crisis


def test_user_script_renders_as_text(admin):
    page = admin.get(f"/conversations/{SCRIPT}").text
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in page


def test_review_note_and_audit(admin):
    assert admin.post(f"/conversations/{CRISIS}/review", {"reviewed": "1"}).status_code == 303
    assert (
        admin.post(f"/conversations/{CRISIS}/notes", {"text": "Called, safe."}).status_code == 303
    )
    page = admin.get(f"/conversations/{CRISIS}").text
    assert "Reviewed by ada" in page and "Called, safe." in page
    assert CRISIS in admin.get("/conversations", params={"reviewed": "yes"}).text
    audit = admin.get("/audit").text
    for action in ("view transcript", "mark reviewed", "add note"):
        assert action in audit


def test_exports_json_and_csv_are_audited(admin):
    one = json.loads(admin.get(f"/conversations/{ASKER}/export.json").text)
    (conversation,) = one["conversations"]
    assert conversation["messages"][0]["text"] == "what is heroin?"
    filtered = admin.get("/conversations/export.csv", params={"crisis": "1"}).text
    assert CRISIS in filtered and ASKER not in filtered
    audit = admin.get("/audit").text
    assert "export json" in audit and "export csv" in audit


def test_annotation_exports_as_nlu_yaml(admin, console):
    engine = make_engine(console.database_url)
    from bot.store.transcripts import EVENTS

    with engine.connect() as connection:
        event_id = connection.execute(
            select(EVENTS.c.id).where(EVENTS.c.sender_id == ASKER, EVENTS.c.type_name == "user")
        ).scalar()
    answer = admin.post(
        f"/conversations/{ASKER}/annotate", {"event_id": str(event_id), "intent": "ask_risks"}
    )
    assert answer.status_code == 303
    yaml_text = admin.get("/annotations/export.yml").text
    assert "intent: ask_risks" in yaml_text and "- what is heroin?" in yaml_text


def test_take_over_send_and_hand_back_with_the_real_bot(admin, bot, console):
    assert admin.post(f"/conversations/{ASKER}/takeover").status_code == 303
    assert bot.say(ASKER, "what is heroin?") == []  # paused: the bot stays quiet
    assert (
        admin.post(f"/conversations/{ASKER}/send", {"text": "Hi, this is Ada."}).status_code == 303
    )
    events = bot.tracker(ASKER)["events"]
    staff = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("staff")]
    assert staff[-1]["text"] == "Hi, this is Ada." and staff[-1]["metadata"]["staff"] == "ada"
    assert admin.post(f"/conversations/{ASKER}/handback").status_code == 303
    assert bot.say(ASKER, "what is heroin?") != []  # the bot answers again
    with session_scope(make_engine(console.database_url)) as session:
        texts = [
            m.text
            for m in session.execute(
                select(OutboxMessage).where(OutboxMessage.sender_id == ASKER)
            ).scalars()
        ]
    assert texts[0] == "A member of our team has joined the chat." and "Hi, this is Ada." in texts
    page = admin.get(f"/conversations/{ASKER}").text
    assert "Staff took over" in page and "Handed back" in page


def test_admissions_queue_masks_contacts_and_records_status_changes(admin, bot, console):
    sender = f"lead-{RUN}"
    # Name, phone, best time, insurance, consent: the callback form as a user fills it.
    replies = [
        bot.say(sender, text)
        for text in (
            "/request_callback",
            "Jordan",
            "+1 555 010 4477",
            "weekday mornings",
            "Aetna",
            "/affirm",
        )
    ]
    queue = admin.get("/admissions").text
    from bot.store.models import Lead

    with session_scope(make_engine(console.database_url)) as session:
        lead = session.execute(select(Lead).where(Lead.sender_id == sender)).scalar_one_or_none()
        assert lead is not None, replies
        lead_id, contact = lead.id, lead.contact
    assert contact not in queue and "•••77" in queue
    answer = admin.post(f"/admissions/{lead_id}/status", {"status": "contacted"})
    assert answer.status_code == 303
    detail = admin.get(f"/admissions/{lead_id}").text
    assert contact in detail and "contacted" in detail and "ada" in detail
    audit = admin.get("/audit").text
    assert "lead status" in audit and "view contact" in audit


def test_erasure_is_honoured_in_the_console(admin, console):
    with session_scope(make_engine(console.database_url)) as session:
        erase_sender(session, SCRIPT)
    assert admin.get(f"/conversations/{SCRIPT}").status_code == 404
    assert SCRIPT not in admin.get("/conversations").text


def test_purge_command_keeps_recent_conversations(admin, console):
    result = console.cli("purge", "--days", "30")
    assert result.returncode == 0 and "purged 0 conversations" in result.stdout
    assert CRISIS in admin.get("/conversations").text
