"""Exports: CSV is safe in spreadsheets, JSON round-trips, annotations load as Rasa NLU data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.staff import export
from bot.staff.conversations import parse_tags
from bot.store.db import make_engine, session_scope, upgrade
from bot.store.staff_models import Annotation
from bot.store.transcripts import Entry


def records() -> list[dict]:
    entries = [
        Entry(1, "user", 1_700_000_000.0, '=HYPERLINK("x")', intent="greet", confidence=0.9),
        Entry(2, "bot", 1_700_000_001.0, "Hello", passage_id="p-1"),
    ]
    return [export.conversation_record(None, "s1", entries)]


def test_csv_has_one_row_per_line_and_defuses_formulas():
    rows = list(csv.DictReader(io.StringIO(export.as_csv(records()))))
    assert [r["kind"] for r in rows] == ["user", "bot"]
    assert rows[0]["text"].startswith("'=")
    assert rows[1]["passage_id"] == "p-1"


def test_json_keeps_intent_and_confidence():
    data = json.loads(export.as_json(records()))
    (message, _) = data["conversations"][0]["messages"]
    assert (message["intent"], message["confidence"]) == ("greet", 0.9)


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'export.db'}"
    upgrade(url)
    return make_engine(url)


def test_annotations_export_is_rasa_nlu_yaml(engine):
    with session_scope(engine) as session:
        for n, (text, intent, passage) in enumerate(
            [
                ("how long does withdrawal last", "ask_withdrawal", None),
                ('what\'s the - deal: with "methadone"?', "ask_methadone", None),
                ("is it in my head", None, "p-brain-1"),
            ]
        ):
            session.add(
                Annotation(
                    sender_id="s",
                    event_id=n,
                    text=text,
                    intent=intent,
                    passage_id=passage,
                    author="sam",
                )
            )
    with session_scope(engine) as session:
        text = export.annotations_yaml(session)
    data = RasaYAMLReader().reads(text)
    examples = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    assert examples == {
        ("ask_withdrawal", "how long does withdrawal last"),
        ("ask_methadone", 'what\'s the - deal: with "methadone"?'),
    }
    assert "# passage p-brain-1" in text


def test_tags_are_trimmed_deduplicated_and_capped():
    assert parse_tags(" Follow up, follow  up,,relapse ") == ["follow up", "relapse"]
    assert len(parse_tags(",".join(str(n) for n in range(30)))) == 10
