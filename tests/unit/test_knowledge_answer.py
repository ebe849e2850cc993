"""What the user reads: the passage word for word, then where it is from."""

from __future__ import annotations

from bot.knowledge import describe_source, format_answer, load_knowledge

KNOWLEDGE = load_knowledge()


def test_format_answer_is_passage_verbatim_then_source_line() -> None:
    passage = KNOWLEDGE.passage("p-fhe-methadone-1")
    assert passage is not None
    answer = format_answer(KNOWLEDGE, passage)
    body, source_line = answer.split("\n\n")
    assert body == passage.text
    assert body.startswith("The most common treatment for heroin addiction is methadone.")
    assert source_line == 'Source: FHE Health, "Can Using Heroin Cause Depression?"'


def test_every_passage_formats_with_its_own_publisher() -> None:
    for passage in KNOWLEDGE.passages:
        source = KNOWLEDGE.sources[passage.source]
        answer = format_answer(KNOWLEDGE, passage)
        assert answer.startswith(passage.text)
        assert answer.endswith(f'\n\nSource: {source.publisher}, "{source.title}"')


def test_bulleted_passage_keeps_its_lines() -> None:
    passage = KNOWLEDGE.passage("p-rvd-signs-of-depression-1")
    assert passage is not None
    lines = format_answer(KNOWLEDGE, passage).splitlines()
    assert lines[0] == "Signs of depression include:"
    assert "• Irritability" in lines


def test_describe_source_names_publisher_title_people_and_date() -> None:
    rv = KNOWLEDGE.passage("p-rv-withdrawal-1")
    fhe = KNOWLEDGE.passage("p-fhe-methadone-2")
    assert rv is not None and fhe is not None
    rv_text = describe_source(KNOWLEDGE, rv)
    assert '"Heroin Use & Depression"' in rv_text
    assert "The Recovery Village" in rv_text
    assert "Edited by Camille Renzoni" in rv_text
    assert "Medically reviewed by Stephanie Hairston, MSW" in rv_text
    fhe_text = describe_source(KNOWLEDGE, fhe)
    assert "Written by Chris Foy" in fhe_text
    assert "Published March 29, 2022." in fhe_text


def test_describe_source_omits_what_is_unknown() -> None:
    passage = KNOWLEDGE.passage("p-oasis-what-is-heroin-1")
    assert passage is not None
    text = describe_source(KNOWLEDGE, passage)
    assert "Oasis Recovery" in text
    assert "by" not in text.replace("published by", "")
    assert "Published" not in text
