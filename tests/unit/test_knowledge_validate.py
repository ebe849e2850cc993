"""The validator proves passages are verbatim and keeps unquotable text out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import load_knowledge, validate_knowledge
from bot.knowledge.validate import SEED_DIR, cli, normalise
from bot.settings import KNOWLEDGE_DIR


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def read_passages(directory: Path) -> list[dict]:
    return yaml.safe_load((directory / "passages.yml").read_text(encoding="utf-8"))


def write_passages(directory: Path, passages: list[dict]) -> None:
    text = yaml.safe_dump(passages, allow_unicode=True, sort_keys=False)
    (directory / "passages.yml").write_text(text, encoding="utf-8")


def problems_in(directory: Path, seed_dir: Path | None = None) -> list[str]:
    return [str(p) for p in validate_knowledge(load_knowledge(directory), directory, seed_dir)]


def test_real_knowledge_is_valid() -> None:
    problems = validate_knowledge(load_knowledge(), KNOWLEDGE_DIR)
    assert [str(p) for p in problems] == []


def test_real_sources_are_deletions_of_their_seeds() -> None:
    if not SEED_DIR.is_dir():
        pytest.skip("seed articles are not available on this machine")
    assert problems_in(KNOWLEDGE_DIR, SEED_DIR) == []


def test_cli_reports_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli() == 0
    out = capsys.readouterr().out
    count = len(load_knowledge().passages)
    assert out.startswith(f"ok: {count} passages from 5 sources verified verbatim")


def test_altered_passage_is_named(knowledge_copy: Path, capsys: pytest.CaptureFixture) -> None:
    passages = read_passages(knowledge_copy)
    target = passages[3]
    target["text"] = target["text"].replace("strongly linked", "weakly linked")
    assert "weakly linked" in target["text"]
    write_passages(knowledge_copy, passages)

    problems = problems_in(knowledge_copy)
    assert problems == [
        f"passage {target['id']}: text is not a verbatim span of source {target['source']} "
        "(differs at 'weakly linked. The question is, does')"
    ]
    assert cli(knowledge_copy, None) == 1
    assert f"passage {target['id']}:" in capsys.readouterr().out


def test_span_joined_from_two_places_is_not_verbatim(knowledge_copy: Path) -> None:
    passages = read_passages(knowledge_copy)
    first, second = passages[0], passages[5]
    first["text"] = first["text"] + " " + second["text"]
    write_passages(knowledge_copy, passages)
    assert any(
        p.startswith(f"passage {first['id']}: text is not") for p in problems_in(knowledge_copy)
    )


def test_whitespace_and_bullets_do_not_matter() -> None:
    assert normalise("  • Headaches\n  • Joint pain") == normalise("Headaches Joint pain")
    assert normalise("a\u00a0 b\n\nc") == "a b c"


def add_sentence_to_source(directory: Path, source_file: str, sentence: str) -> None:
    path = directory / "sources" / source_file
    path.write_text(path.read_text(encoding="utf-8") + "\n" + sentence + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "sentence",
    [
        "Call us on (833) 596-3502 for help.",
        "If you need help, call 1-800-273-8255 now.",
        "Call 8005551234 any time.",
    ],
)
def test_phone_numbers_are_caught(knowledge_copy: Path, sentence: str) -> None:
    add_sentence_to_source(knowledge_copy, "rv-heroin-depression.txt", sentence)
    passages = read_passages(knowledge_copy)
    passages.append(
        {"id": "p-test-phone", "source": "rv-heroin-depression", "topic": "risks", "text": sentence}
    )
    write_passages(knowledge_copy, passages)
    problems = problems_in(knowledge_copy)
    assert any(p.startswith("passage p-test-phone: contains a phone number") for p in problems)


def test_numbers_in_ordinary_text_are_not_phone_numbers(knowledge_copy: Path) -> None:
    # The real data has "15,446 people", "2016", "24-hour": none of them is a phone number.
    assert problems_in(knowledge_copy) == []


def test_hotline_and_url_are_caught(knowledge_copy: Path) -> None:
    sentence = "Visit www.example.org or the crisis hotline."
    add_sentence_to_source(knowledge_copy, "rv-heroin-depression.txt", sentence)
    passages = read_passages(knowledge_copy)
    passages.append(
        {"id": "p-test-url", "source": "rv-heroin-depression", "topic": "risks", "text": sentence}
    )
    write_passages(knowledge_copy, passages)
    problems = problems_in(knowledge_copy)
    assert any(p.startswith("passage p-test-url: contains a URL") for p in problems)
    assert any(p.startswith("passage p-test-url: mentions a hotline") for p in problems)


def test_excluded_weak_claim_is_caught_even_though_verbatim(knowledge_copy: Path) -> None:
    weak = (
        "One study in rats, however, found that long-term morphine administration can be a "
        "risk factor for developing depressive symptoms."
    )
    passages = read_passages(knowledge_copy)
    passages.append(
        {"id": "p-test-rats", "source": "oasis-heroin-depression", "topic": "risks", "text": weak}
    )
    write_passages(knowledge_copy, passages)
    problems = problems_in(knowledge_copy)
    assert len(problems) == 1
    assert problems[0].startswith("passage p-test-rats: contains excluded text 'One study in rats'")
    assert "weak claim" in problems[0]


def test_excluded_sales_pitch_is_caught_case_insensitively(knowledge_copy: Path) -> None:
    # Put the pitch back into the cleaned source, so only the exclusion list can stop it.
    pitch = "If you struggle with heroin abuse and depression, CONTACT  The Recovery Village today."
    add_sentence_to_source(knowledge_copy, "rv-heroin-depression.txt", pitch)
    passages = read_passages(knowledge_copy)
    passages.append(
        {"id": "p-test-pitch", "source": "rv-heroin-depression", "topic": "risks", "text": pitch}
    )
    write_passages(knowledge_copy, passages)
    assert problems_in(knowledge_copy) == [
        "passage p-test-pitch: contains excluded text 'contact The Recovery Village today' "
        "(sales pitch)"
    ]


def test_unknown_source_topic_duplicate_and_empty(knowledge_copy: Path) -> None:
    passages = read_passages(knowledge_copy)
    original = passages[0]
    passages += [
        {**original, "id": "p-test-a", "source": "no-such-source"},
        {**original, "id": "p-test-b", "topic": "no_such_topic"},
        {**original},
        {**original, "id": "p-test-c", "text": "   "},
    ]
    write_passages(knowledge_copy, passages)
    problems = problems_in(knowledge_copy)
    assert "passage p-test-a: unknown source 'no-such-source'" in problems
    assert "passage p-test-b: unknown topic 'no_such_topic'" in problems
    assert f"passage {original['id']}: duplicate passage id" in problems
    assert "passage p-test-c: empty text" in problems


def test_topic_without_passages_is_reported(knowledge_copy: Path) -> None:
    passages = [p for p in read_passages(knowledge_copy) if p["topic"] != "sleep"]
    write_passages(knowledge_copy, passages)
    assert problems_in(knowledge_copy) == ["knowledge: topic sleep has no passage"]


def test_cleaned_line_not_in_seed_is_reported(knowledge_copy: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for source in load_knowledge(knowledge_copy).sources.values():
        text = (knowledge_copy / "sources" / source.file).read_text(encoding="utf-8")
        (seeds / source.seed).write_text("Menu\n" + text + "\nFooter\n", encoding="utf-8")
    assert problems_in(knowledge_copy, seeds) == []

    add_sentence_to_source(knowledge_copy, "fhe-heroin-depression.txt", "An invented line.")
    problems = problems_in(knowledge_copy, seeds)
    assert len(problems) == 1
    assert "source fhe-heroin-depression: line" in problems[0]
    assert "is not a line of seed 002_bd21bfbfaf669071.txt" in problems[0]
