"""The answer dev set is well-formed and does not repeat the training examples."""

from __future__ import annotations

import re
import string
from collections import Counter

from bot.knowledge import load_knowledge
from bot.settings import DATA_DIR, ROOT, load_yaml

DEV = load_yaml(ROOT / "bench" / "answers_dev.yml")
KNOWLEDGE = load_knowledge()
_PUNCTUATION = str.maketrans("", "", string.punctuation + "’‘“”")


def key(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().translate(_PUNCTUATION)).strip()


def training_examples() -> set[str]:
    found: set[str] = set()
    for path in sorted((DATA_DIR / "nlu").glob("*.yml")):
        for item in load_yaml(path).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    found.add(key(line.strip()[2:]))
    return found


def test_dev_questions_are_not_training_examples() -> None:
    training = training_examples()
    assert len(training) > 500
    questions = [q["text"] for q in DEV["in_scope"]] + [q["text"] for q in DEV["out_of_scope"]]
    assert [q for q in questions if key(q) in training] == []


def test_dev_questions_are_unique() -> None:
    counts = Counter(key(q["text"]) for q in DEV["in_scope"] + DEV["out_of_scope"])
    assert [text for text, n in counts.items() if n > 1] == []


def test_dev_set_size_and_spread() -> None:
    assert len(DEV["in_scope"]) >= 130
    assert len(DEV["out_of_scope"]) >= 45
    per_topic = Counter(q["topic"] for q in DEV["in_scope"])
    assert set(per_topic) == set(KNOWLEDGE.topics)
    assert min(per_topic.values()) >= 5
    assert {q["expect"] for q in DEV["out_of_scope"]} == {"out_of_scope", "request_harmful"}


def test_acceptable_passages_exist_and_belong_to_the_topic() -> None:
    wrong = []
    for question in DEV["in_scope"]:
        for passage_id in question.get("passages", []):
            passage = KNOWLEDGE.passage(passage_id)
            if passage is None or passage.topic != question["topic"]:
                wrong.append((question["text"], passage_id))
    assert wrong == []
