"""The retriever finds the passage a person is asking about, and never one it was told to skip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import load_knowledge, rank, retrieve, tokens

KNOWLEDGE = load_knowledge()
PASSAGE_IDS = [p.id for p in KNOWLEDGE.passages]


@pytest.mark.parametrize(
    ("query", "topic", "expected"),
    [
        ("what does going on the nod mean", "sleep", "p-rvd-sleep-1"),
        ("why does my son keep nodding off", "sleep", "p-rvd-sleep-1"),
        (
            "how long can inpatient rehab last",
            "residential_treatment",
            "p-fhe-residential-treatment-2",
        ),
        ("does heroin raise cortisol", "brain_chemistry", "p-rv-brain-chemistry-3"),
        ("what color is pure heroin", "what_is_heroin", "p-fhe-what-is-heroin-1"),
        ("how many died from heroin overdoses in 2016", "prevalence", "p-oasis-prevalence-1"),
        ("is methadone combined with psychotherapy", "methadone", "p-fhe-methadone-2"),
    ],
)
def test_query_within_topic_finds_the_answering_passage(
    query: str, topic: str, expected: str
) -> None:
    assert rank(KNOWLEDGE, query, topic=topic)[0].passage.id == expected


@pytest.mark.parametrize(
    ("query", "expected_topic"),
    [
        ("is heroin a depressant that slows breathing", "depressant"),
        ("what is methadone and does it help cravings", "methadone"),
        ("signs of depression list irritability appetite", "signs_of_depression"),
        ("residential inpatient treatment after detox", "residential_treatment"),
        ("does herion withdrawl cause depresion", "withdrawal"),
    ],
)
def test_query_without_topic_finds_the_right_topic(query: str, expected_topic: str) -> None:
    assert rank(KNOWLEDGE, query)[0].passage.topic == expected_topic


def test_without_topic_unrelated_query_finds_nothing() -> None:
    assert rank(KNOWLEDGE, "cricket scores in melbourne") == []
    assert rank(KNOWLEDGE, "") == []


@pytest.mark.parametrize("query", ["", "   ", "/ask_withdrawal", "/ask_withdrawal{}", "the and of"])
def test_payload_or_empty_query_gives_curated_order(query: str) -> None:
    ranked = [item.passage for item in rank(KNOWLEDGE, query, topic="withdrawal")]
    assert ranked == list(KNOWLEDGE.passages_for("withdrawal"))
    assert ranked[0].id == "p-rv-withdrawal-1"


def test_topic_restricts_results_to_that_topic() -> None:
    ranked = rank(KNOWLEDGE, "methadone treatment", topic="sleep")
    assert {item.passage.topic for item in ranked} == {"sleep"}
    assert len(ranked) == len(KNOWLEDGE.passages_for("sleep"))


def test_unknown_topic_gives_nothing() -> None:
    assert rank(KNOWLEDGE, "heroin", topic="no_such_topic") == []


def test_tell_me_more_gives_a_different_passage_until_the_topic_is_spent() -> None:
    query = "why do i feel so low in withdrawal"
    shown: list[str] = []
    while ranked := rank(KNOWLEDGE, query, topic="withdrawal", exclude=shown):
        assert ranked[0].passage.id not in shown
        shown.append(ranked[0].passage.id)
    assert sorted(shown) == sorted(p.id for p in KNOWLEDGE.passages_for("withdrawal"))


@settings(max_examples=150, deadline=None)
@given(
    query=st.text(max_size=60),
    topic=st.one_of(st.none(), st.sampled_from(sorted(KNOWLEDGE.topics))),
    exclude=st.sets(st.sampled_from(PASSAGE_IDS), max_size=40),
)
def test_excluded_ids_are_never_returned(query: str, topic: str | None, exclude: set[str]) -> None:
    ranked = rank(KNOWLEDGE, query, topic=topic, exclude=exclude)
    returned = [item.passage.id for item in ranked]
    assert not set(returned) & exclude
    assert len(returned) == len(set(returned))
    scores = [item.score for item in ranked]
    assert scores == sorted(scores, reverse=True)


def test_index_is_built_once_per_knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    original = retrieve._Index.__init__

    def counting_init(self: retrieve._Index, knowledge: object) -> None:
        built.append(knowledge)
        original(self, knowledge)  # type: ignore[arg-type]

    monkeypatch.setattr(retrieve._Index, "__init__", counting_init)
    monkeypatch.setattr(retrieve, "_INDEXES", type(retrieve._INDEXES)())
    for query in ("withdrawal", "methadone", "sleep", "stigma"):
        rank(KNOWLEDGE, query)
    assert len(built) == 1


def test_tokens_stem_fold_and_fix_common_misspellings() -> None:
    assert tokens("Depression depressed DEPRESSING") == ["depress"] * 3
    assert tokens("herion heroine heroin") == ["heroin"] * 3
    assert tokens("The heroin’s effects") == tokens("heroin effects")
    assert tokens("nodding") == tokens("nod")
