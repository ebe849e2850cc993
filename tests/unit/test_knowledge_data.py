"""The curated data covers every topic, and the NLU data matches the topics."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.settings import DATA_DIR, ROOT, load_yaml

KNOWLEDGE = load_knowledge()
NLU_DIR = DATA_DIR / "nlu"
TOPICS = [
    "overview", "prevalence", "depression_leads_to_use", "heroin_causes_depression",
    "brain_chemistry", "withdrawal", "depressant", "signs_of_depression", "stigma_isolation",
    "dual_diagnosis", "residential_treatment", "methadone", "chronic_pain", "sleep",
    "tolerance_dysphoria", "what_is_heroin", "what_is_depression", "recovery_hope", "risks",
]  # fmt: skip


def examples(path: Path) -> dict[str, list[str]]:
    data = load_yaml(path)
    result: dict[str, list[str]] = {}
    for item in data.get("nlu", []):
        if "intent" in item:
            lines = str(item.get("examples", "")).splitlines()
            result[item["intent"]] = [ln.strip()[2:].strip() for ln in lines if ln.strip()]
    return result


def test_topics_are_exactly_the_agreed_ids() -> None:
    assert list(KNOWLEDGE.topics) == TOPICS


def test_every_topic_has_at_least_two_passages() -> None:
    counts = Counter(p.topic for p in KNOWLEDGE.passages)
    assert {t: counts[t] for t in TOPICS if counts[t] < 2} == {}
    assert 60 <= len(KNOWLEDGE.passages) <= 90


def test_every_source_is_quoted() -> None:
    assert {p.source for p in KNOWLEDGE.passages} == set(KNOWLEDGE.sources)


def test_button_labels_are_short() -> None:
    assert [t.id for t in KNOWLEDGE.topics.values() if len(t.label) > 45] == []


def test_questions_have_one_intent_per_topic_with_enough_examples() -> None:
    questions = examples(NLU_DIR / "questions.yml")
    assert sorted(questions) == sorted(f"ask_{t}" for t in TOPICS)
    assert {i: len(e) for i, e in questions.items() if len(e) < 25} == {}


def test_refusal_intents_have_enough_examples() -> None:
    refusals = examples(NLU_DIR / "out_of_scope.yml")
    assert len(refusals["out_of_scope"]) >= 60
    assert len(refusals["request_harmful"]) >= 50


def test_domain_lists_every_topic_intent() -> None:
    domain_path = ROOT / "domain.yml"
    if not domain_path.is_file():
        pytest.skip("no domain.yml")
    intents = set(load_yaml(domain_path).get("intents", []))
    assert {f"ask_{t}" for t in TOPICS} <= intents


def test_no_training_example_belongs_to_two_intents() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for intent, texts in examples(path).items():
            for text in texts:
                key = re.sub(r"\s+", " ", text.lower()).strip()
                if owner.get(key, intent) != intent:
                    clashes.append((text, owner[key], intent))
                owner.setdefault(key, intent)
    assert clashes == []


def test_training_questions_do_not_read_like_a_crisis() -> None:
    crisis_words = re.compile(r"\b(suicid\w*|kill (my|him|her)self|overdosing|want to die)\b")
    mine = [
        *examples(NLU_DIR / "questions.yml").values(),
        *examples(NLU_DIR / "out_of_scope.yml").values(),
    ]
    flagged = [text for texts in mine for text in texts if crisis_words.search(text.lower())]
    assert flagged == []
