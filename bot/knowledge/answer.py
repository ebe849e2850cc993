"""Turn a passage into the text the user reads."""

from __future__ import annotations

from datetime import date

from bot.knowledge.model import Knowledge, Passage, Source


def _source_of(knowledge: Knowledge, passage: Passage) -> Source:
    source = knowledge.source(passage.source)
    if source is None:
        raise KeyError(f"passage {passage.id} names unknown source {passage.source}")
    return source


def source_line(source: Source) -> str:
    return f'Source: {source.publisher}, "{source.title}"'


def format_answer(knowledge: Knowledge, passage: Passage) -> str:
    """The passage verbatim, a blank line, then the source."""
    return f"{passage.text.strip()}\n\n{source_line(_source_of(knowledge, passage))}"


def _readable_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day:%B} {day.day}, {day.year}"


def describe_source(knowledge: Knowledge, passage: Passage) -> str:
    """Answer to "where is that from?": publisher, title, the people credited, the date."""
    source = _source_of(knowledge, passage)
    lines = [
        f'That passage is quoted word for word from "{source.title}", published by '
        f"{source.publisher}."
    ]
    credits = [
        f"{role} {name}"
        for role, name in (
            ("Written by", source.author),
            ("Edited by", source.editor),
            ("Medically reviewed by", source.medical_reviewer),
            ("Reviewed by", source.reviewer),
        )
        if name
    ]
    if credits:
        lines.append("; ".join(credits) + ".")
    if source.date:
        lines.append(f"Published {_readable_date(source.date)}.")
    return " ".join(lines)
