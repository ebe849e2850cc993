"""After a reload the visitor sees their conversation: their words, the bot's, staff replies."""

from __future__ import annotations

from bot.channels.web_history import visible_messages

BUTTONS = [{"title": "Withdrawal and mood", "payload": "/ask_withdrawal"}]


def test_user_bot_and_staff_messages_in_order_without_internal_events() -> None:
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "user", "text": "hello", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "slot", "name": "last_topic", "value": "x"},
        {"event": "bot", "text": "Hi.\n\nI'm an automated assistant.", "data": {}},
        {"event": "pause"},
        {"event": "bot", "text": "This is Sam from admissions.", "metadata": {"staff": "sam"}},
    ]
    assert visible_messages(events) == [
        {"role": "user", "text": "hello"},
        {"role": "bot", "text": "Hi."},
        {"role": "bot", "text": "I'm an automated assistant."},
        {"role": "staff", "text": "This is Sam from admissions."},
    ]


def test_a_clicked_quick_reply_shows_its_title_not_its_payload() -> None:
    events = [
        {"event": "bot", "text": "Pick one", "data": {"buttons": BUTTONS}},
        {
            "event": "user",
            "text": "/ask_withdrawal",
            "metadata": {"display": "Withdrawal and mood"},
        },
    ]
    assert visible_messages(events)[-1] == {"role": "user", "text": "Withdrawal and mood"}


def test_only_the_latest_bot_message_keeps_its_quick_replies() -> None:
    events = [
        {"event": "bot", "text": "Old", "data": {"buttons": BUTTONS}},
        {"event": "user", "text": "hi"},
        {"event": "bot", "text": "New", "data": {"buttons": BUTTONS}},
    ]
    messages = visible_messages(events)
    assert "buttons" not in messages[0]
    assert messages[-1]["buttons"] == BUTTONS


def test_buttons_are_reduced_to_title_and_payload() -> None:
    odd = [{"title": "A", "payload": "/a", "url": "javascript:x"}, {"title": "no payload"}, "x"]
    events = [{"event": "bot", "text": "t", "data": {"buttons": odd}}]
    assert visible_messages(events)[0]["buttons"] == [{"title": "A", "payload": "/a"}]


def test_html_in_stored_text_comes_back_unchanged_for_the_browser_to_show_as_text() -> None:
    attack = "<img src=x onerror=alert(1)>"
    assert visible_messages([{"event": "user", "text": attack}]) == [
        {"role": "user", "text": attack}
    ]
