"""The safety data files: patterns compile, NLU and dev set are well formed and independent."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bench.crisis_screen import load_cases, run
from bot.safety.normalize import normalize
from bot.safety.patterns import PATTERNS_FILE, build, load_patterns
from bot.safety.screen import screen
from bot.settings import DATA_DIR, ROOT, load_yaml

NLU_FILE = DATA_DIR / "nlu" / "crisis.yml"
DEV_FILE = ROOT / "bench" / "crisis_dev.yml"


def nlu_examples(path=NLU_FILE) -> dict[str, list[str]]:
    data = load_yaml(path) or {}
    out: dict[str, list[str]] = {}
    for item in data.get("nlu", []):
        if "intent" not in item or "examples" not in item:
            continue
        lines = [ln.strip() for ln in item["examples"].splitlines()]
        out.setdefault(item["intent"], []).extend(ln[2:] for ln in lines if ln.startswith("- "))
    return out


def test_patterns_load_and_every_pattern_has_unique_id() -> None:
    ps = build(load_yaml(PATTERNS_FILE))
    ids = [p.id for c in ps.categories for p in c.patterns]
    assert len(ids) == len(set(ids))
    assert {c.id for c in ps.categories} == {
        "overdose_emergency",
        "danger_at_home",
        "harm_to_others",
        "self_harm",
        "intentional_overdose",
        "suicidal",
    }
    assert load_patterns() is load_patterns()  # compiled once


def test_nlu_file_shape_and_counts() -> None:
    data = load_yaml(NLU_FILE)
    assert str(data["version"]) == "3.1"
    examples = nlu_examples()
    assert len(examples["crisis"]) >= 120
    assert len(examples["emergency"]) >= 50
    assert len(examples["safety_concern"]) >= 20
    for intent, items in examples.items():
        assert len(items) == len(set(items)), intent


def test_dev_set_shape_and_balance() -> None:
    data = load_yaml(DEV_FILE)
    messages = data["messages"]
    assert len(messages) >= 320
    expects = Counter(m["expect"] for m in messages)
    assert set(expects) <= {"emergency", "crisis", "concern", "none"}
    negatives = expects["none"] + expects["concern"]
    assert negatives / len(messages) >= 0.40
    assert len(data["multi_turn"]) >= 20
    categories = {m["category"] for m in messages}
    assert {
        "suicidal",
        "intentional_overdose",
        "self_harm",
        "overdose_emergency",
        "third_person",
        "danger_at_home",
        "harm_to_others",
        "topic_question",
        "idiom",
        "past",
        "sadness",
        "negation",
    } <= categories


def test_dev_set_does_not_overlap_nlu_training_data() -> None:
    training = {normalize(t) for items in nlu_examples().values() for t in items}
    data = load_yaml(DEV_FILE)
    dev = [m["text"] for m in data["messages"]] + [
        t for case in data["multi_turn"] for t in case["turns"]
    ]
    overlap = sorted({normalize(t) for t in dev} & training)
    assert not overlap


def test_patterns_do_not_quote_dev_messages() -> None:
    """Patterns stay general: no dev message appears verbatim inside a pattern."""
    raw = PATTERNS_FILE.read_text(encoding="utf-8")
    data = load_yaml(DEV_FILE)
    long_dev = [normalize(m["text"]) for m in data["messages"] if len(m["text"]) > 25]
    assert not [t for t in long_dev if t in raw]


def test_screen_agrees_with_nlu_examples() -> None:
    """The trained model and the screen back each other up: the screen knows these too."""
    expected = {
        "crisis": ("crisis", "emergency"),
        "emergency": ("emergency",),
        "safety_concern": ("concern",),
    }
    examples = nlu_examples()
    for intent, allowed in expected.items():
        wrong = [t for t in examples[intent] if screen(t).level not in allowed]
        assert not wrong, (intent, wrong)


def test_other_nlu_files_rarely_escalate() -> None:
    """Ordinary questions and chit-chat in the other NLU files are hard negatives."""
    texts = []
    for path in sorted((DATA_DIR / "nlu").glob("*.yml")):
        if path.name != "crisis.yml":
            texts += [t for items in nlu_examples(path).values() for t in items]
    if len(texts) < 50:
        pytest.skip("other NLU files not present yet")
    flagged = [t for t in texts if screen(t).level in ("crisis", "emergency")]
    assert len(flagged) / len(texts) <= 0.01, flagged


def test_bench_meets_targets() -> None:
    report, misses = run(load_cases())
    assert report["crisis_recall"] == 1.0, misses
    assert report["emergency_recall"] == 1.0, misses
    assert report["false_alarm_rate"] <= 0.05, misses
    assert report["concern_accuracy"] >= 0.9, misses


def test_readable_reason() -> None:
    result = screen("i want to kill myself")
    assert re.match(r"^[a-z_]+: '.+'$", result.reason)
