"""Exports: conversations as JSON or CSV, and reviewers' annotations as Rasa NLU YAML."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import asdict
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.staff.present import when
from bot.store.staff_models import Annotation
from bot.store.transcripts import ConversationRow, Entry

CSV_FIELDS = (
    "sender_id",
    "channel",
    "event_id",
    "time",
    "kind",
    "text",
    "intent",
    "confidence",
    "passage_id",
    "safety_level",
    "safety_reason",
    "staff",
)


def conversation_record(row: ConversationRow | None, sender_id: str, entries: list[Entry]) -> dict:
    return {
        "sender_id": sender_id,
        "channel": row.channel if row else "",
        "started_at": when(row.started_at) if row else "",
        "last_at": when(row.last_at) if row else "",
        "flags": list(row.flags) if row else [],
        "reviewed": row.reviewed if row else False,
        "messages": [_entry_dict(entry) for entry in entries],
    }


def _entry_dict(entry: Entry) -> dict[str, Any]:
    data = {key: value for key, value in asdict(entry).items() if value not in (None, "")}
    data["time"] = when(entry.timestamp)
    return data


def as_json(records: list[dict]) -> str:
    return json.dumps({"conversations": records}, ensure_ascii=False, indent=1)


def as_csv(records: list[dict]) -> str:
    """One row per transcript line. Cells that start like a formula are quoted with a leading
    apostrophe, so a user's message cannot run in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for record in records:
        for message in record["messages"]:
            safety = message.get("safety") or {}
            writer.writerow(
                {
                    "sender_id": _cell(record["sender_id"]),
                    "channel": record["channel"],
                    "event_id": message["event_id"],
                    "time": message["time"],
                    "kind": message["kind"],
                    "text": _cell(message.get("text", "")),
                    "intent": message.get("intent", ""),
                    "confidence": message.get("confidence", ""),
                    "passage_id": message.get("passage_id", ""),
                    "safety_level": safety.get("level", ""),
                    "safety_reason": _cell(safety.get("reason", "")),
                    "staff": _cell(message.get("staff", "")),
                }
            )
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def annotations_yaml(session: Session) -> str:
    """Annotated user messages as Rasa 3 NLU training data, grouped by the corrected intent.

    Annotations that only name a passage are listed as comments for the knowledge curators.
    """
    rows = list(session.execute(select(Annotation).order_by(Annotation.id)).scalars())
    by_intent: dict[str, list[str]] = defaultdict(list)
    passages: list[str] = []
    for row in rows:
        text = " ".join(row.text.split())
        if row.intent and text and text not in by_intent[row.intent]:
            by_intent[row.intent].append(text)
        if row.passage_id:
            passages.append(f"# passage {row.passage_id}: {json.dumps(text, ensure_ascii=False)}")
    nlu = [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in examples)}
        for intent, examples in sorted(by_intent.items())
    ]
    body = yaml.dump(
        {"version": "3.1", "nlu": nlu},
        Dumper=_LiteralDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
    )
    header = "# Exported from the staff console: reviewers' corrections of user messages.\n"
    return header + body + ("\n".join(passages) + "\n" if passages else "")


class _LiteralDumper(yaml.SafeDumper):
    """Write multi-line examples as `|` blocks, the way Rasa's own NLU files look."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str_presenter)
