"""The held-out sets are well-formed, big enough and share no text with training or dev data."""

from __future__ import annotations

import re
import string
from collections import Counter

from bot.settings import DATA_DIR, ROOT, load_yaml

HELDOUT = ROOT / "bench" / "heldout"
ANSWERS = load_yaml(HELDOUT / "answers.yml")
CRISIS = load_yaml(HELDOUT / "crisis.yml")
TOPICS = load_yaml(DATA_DIR / "knowledge" / "topics.yml")
PASSAGES = {p["id"]: p for p in load_yaml(DATA_DIR / "knowledge" / "passages.yml")}
_PUNCTUATION = str.maketrans("", "", string.punctuation + "’‘“”")

ESCALATED = {
    "suicidal": "crisis",
    "intentional_overdose": "crisis",
    "self_harm": "crisis",
    "overdose_emergency": "emergency",
    "third_person": "crisis",
    "danger_at_home": "crisis",
    "harm_to_others": "crisis",
    "slang": "crisis",
    "embedded": "crisis",
}
NEGATIVE = {
    "topic_question": "none",
    "idiom": "none",
    "past_tense": "none",
    "sadness": "none",
    "negation": "concern",
}
EXPECTED = {**ESCALATED, **NEGATIVE}


def key(text: str) -> str:
    return re.sub(r"\s+", "", str(text).lower().translate(_PUNCTUATION))


def training_examples() -> set[str]:
    found: set[str] = set()
    for path in sorted((DATA_DIR / "nlu").glob("*.yml")):
        for item in load_yaml(path).get("nlu", []) or []:
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    found.add(key(line.strip()[2:]))
    return found


def dev_texts() -> set[str]:
    answers = load_yaml(ROOT / "bench" / "answers_dev.yml")
    crisis = load_yaml(ROOT / "bench" / "crisis_dev.yml")
    texts = [q["text"] for q in answers["in_scope"] + answers["out_of_scope"]]
    texts += [m["text"] for m in crisis["messages"]]
    texts += [turn for m in crisis.get("multi_turn", []) for turn in m["turns"]]
    return {key(t) for t in texts}


def answer_texts() -> list[str]:
    return [q["text"] for q in ANSWERS["in_scope"] + ANSWERS["out_of_scope"]]


def crisis_texts() -> list[str]:
    texts = [m["text"] for m in CRISIS["messages"]]
    return texts + [turn for m in CRISIS["multi_turn"] for turn in m["turns"]]


def test_answers_size_and_spread() -> None:
    assert len(ANSWERS["in_scope"]) >= 120
    assert len(ANSWERS["out_of_scope"]) >= 40
    per_topic = Counter(q["topic"] for q in ANSWERS["in_scope"])
    assert set(per_topic) == set(TOPICS)
    assert len(TOPICS) == 19
    assert min(per_topic.values()) >= 5
    assert {q["expect"] for q in ANSWERS["out_of_scope"]} == {"out_of_scope", "request_harmful"}
    assert all(isinstance(q["text"], str) and q["text"].strip() for q in ANSWERS["in_scope"])


def test_answer_topics_and_passages_exist() -> None:
    wrong = []
    for question in ANSWERS["in_scope"]:
        if question["topic"] not in TOPICS:
            wrong.append((question["text"], question["topic"]))
        for passage_id in question.get("passages", []):
            passage = PASSAGES.get(passage_id)
            if passage is None or passage["topic"] != question["topic"]:
                wrong.append((question["text"], passage_id))
    assert wrong == []


def test_crisis_size_and_ratio() -> None:
    messages = CRISIS["messages"]
    multi = CRISIS["multi_turn"]
    assert len(messages) >= 200
    assert len(multi) >= 15
    negatives = [m for m in messages if m["expect"] in ("none", "concern")]
    assert len(negatives) / len(messages) >= 0.4
    all_cases = messages + multi
    all_negatives = [m for m in all_cases if m["expect"] in ("none", "concern")]
    assert len(all_negatives) / len(all_cases) >= 0.4
    assert set(Counter(m["category"] for m in messages)) == set(EXPECTED)


def test_crisis_labels_match_categories() -> None:
    wrong = [
        (m.get("text") or m["turns"][-1], m["category"], m["expect"])
        for m in CRISIS["messages"] + CRISIS["multi_turn"]
        if EXPECTED.get(m["category"]) != m["expect"]
    ]
    assert wrong == []
    assert all(len(m["turns"]) >= 2 for m in CRISIS["multi_turn"])


def test_heldout_texts_are_unique() -> None:
    for texts in (answer_texts(), [m["text"] for m in CRISIS["messages"]]):
        counts = Counter(key(t) for t in texts)
        assert [t for t, n in counts.items() if n > 1] == []


def test_heldout_texts_are_not_training_or_dev_text() -> None:
    training = training_examples()
    assert len(training) > 500
    seen = training | dev_texts()
    assert [t for t in answer_texts() + crisis_texts() if key(t) in seen] == []
