"""The crisis screen, category by category: what must escalate and what must not.

Phrases here are deliberately different from bench/crisis_dev.yml and data/nlu/crisis.yml.
"""

from __future__ import annotations

import time

import pytest

from bot.safety.screen import Screening, screen


def level(text: str, history: tuple[str, ...] = ()) -> str | None:
    return screen(text, history).level


def assert_level(texts: list[str], expected: str | None) -> None:
    wrong = {t: screen(t) for t in texts if screen(t).level != expected}
    assert not wrong, f"expected {expected}: {wrong}"


class TestSuicidal:
    POSITIVE = [
        "i really want to kill myself right now",
        "I think about ending my life every night",
        "honestly I just wanna die",
        "my kids would be better off without me",
        "I hope I never wake up again",
        "KMS honestly",
        "i might unalive myself later",
        "thinking about sewerslide again",
        "I feel really suicidal tonight",
        "I'm so suicidle",
        "i want to d!e",
        "I'm going to hang myself",
        "no point in living anymore",
        "I have nothing to live for since she left",
        "ready to end it all",
        "goodbye world",
        "I'd be better off dead",
        "I wish I were dead honestly",
        "I keep looking up ways to die",
        "maybe I'll just never wake up",
        "I'm going to drive my car into a wall",
        "nobody will miss me when I'm gone",
        "I can't go on living",
        "want to ctb tonight",
        "thinking about self-deleting",
        "I'm saying my final goodbyes to everyone",
    ]

    def test_positives_escalate(self) -> None:
        assert_level(self.POSITIVE, "crisis")

    def test_category_and_reason(self) -> None:
        result = screen("i want to kill myself")
        assert result == Screening(
            level="crisis",
            category="suicidal",
            reason=result.reason,
            third_person=False,
            from_history=False,
        )
        assert "kill myself" in result.reason

    def test_hard_negatives(self) -> None:
        assert_level(
            [
                "is heroin a depressant",
                "what is respiratory depression",
                "signs of depression in teens",
                "does depression raise suicide risk for heroin users?",
                "how common is suicide among heroin users",
                "what is the suicide rate after detox",
                "I'd kill for a nap",
                "I'm dead tired from the night shift",
                "these chills are killing me",
                "I feel so down today",
                "withdrawal is the worst thing ever",
                "killing time at the clinic",
            ],
            None,
        )

    def test_crisis_inside_question_and_long_message(self) -> None:
        long = (
            "So I went to my meeting today and it was fine, my sponsor talked about step work "
            "and I had coffee after. Then I got home and nobody was there and I sat on the "
            "couch for hours. Honestly I don't think I want to be alive anymore. Anyway what "
            "time does the clinic open tomorrow?"
        )
        assert level(long) == "crisis"
        assert level("is it normal that I want to kill myself when I'm dopesick?") == "crisis"


class TestIntentionalOverdose:
    def test_positives(self) -> None:
        assert_level(
            [
                "what happens if I take all my pills tonight?",
                "i'm going to swallow every pill i have",
                "been hoarding my subs, gonna take them all",
                "I want to OD on purpose",
                "planning to overdose tonight",
                "one last shot and then I'm done forever",
                "how much fent would kill me",
                "would 30 bars kill me",
                "I'm gonna take a bunch of pills tonight",
                "I have enough dope to never wake up",
            ],
            "crisis",
        )
        assert screen("going to take all my pills at once").category == "intentional_overdose"

    def test_hard_negatives(self) -> None:
        assert_level(
            [
                "do I take all my pills with food?",
                "what is a lethal dose of caffeine",
                "I overdosed two years ago, clean since",
                "can you overdose on methadone",
                "I'm scared of overdosing if I relapse",
            ],
            None,
        )


class TestSelfHarm:
    def test_positives(self) -> None:
        assert_level(
            [
                "I want to cut myself tonight",
                "i've started cutting my arms again",
                "I burn myself when the cravings hit",
                "I need to hurt myself",
                "i self-harm to cope",
            ],
            "crisis",
        )
        assert screen("I want to cut myself").category == "self_harm"

    def test_hard_negatives(self) -> None:
        assert_level(
            [
                "I used to cut but I stopped years ago",
                "I cut myself shaving",
                "I need to cut back on coffee",
                "how do I help a friend who self harms?",
            ],
            None,
        )


class TestOverdoseEmergency:
    POSITIVE = [
        "my girlfriend isn't breathing",
        "his lips are going blue",
        "she's gurgling and won't wake up",
        "I can't wake my brother up, he used",
        "he's unresponsive after shooting up",
        "i think im overdosing",
        "my son is OD'ing",
        "she passed out and I can't wake her",
    ]

    def test_emergency_level(self) -> None:
        assert_level(self.POSITIVE, "emergency")

    def test_someone_else_is_flagged_third_person(self) -> None:
        result = screen("my husband is not breathing")
        assert result.level == "emergency"
        assert result.third_person
        assert result.category == "overdose_emergency"

    def test_writer_is_not_third_person(self) -> None:
        assert not screen("I think I'm overdosing").third_person

    def test_hard_negatives(self) -> None:
        assert_level(
            [
                "what are the signs of an overdose",
                "how long does narcan last",
                "my friend isn't responding to my texts",
                "I can't wake up early for my appointments",
                "last year my cousin stopped breathing but he survived",
            ],
            None,
        )


class TestThirdPerson:
    def test_third_person_crisis(self) -> None:
        for text in [
            "my brother says he wants to kill himself",
            "my daughter told me she wants to die",
            "my husband keeps saying he's going to take all his pills",
            "my friend is cutting herself",
        ]:
            result = screen(text)
            assert result.level == "crisis", text
            assert result.third_person, text

    def test_first_person_is_not_third_person(self) -> None:
        assert not screen("I want to die").third_person


class TestDangerAtHome:
    def test_positives(self) -> None:
        for text in [
            "he's going to hurt me",
            "I'm scared he'll kill me",
            "my boyfriend beats me",
            "my partner hits me when he's high",
            "I'm being beaten at home",
        ]:
            result = screen(text)
            assert result.level == "crisis", text
            assert result.category == "danger_at_home", text
            assert not result.third_person, text

    def test_idioms(self) -> None:
        assert_level(
            [
                "my mom is gonna kill me",
                "my mom is gonna kill me when she finds out I skipped group",
                "my dad would kill me if I was late",
            ],
            None,
        )


class TestHarmToOthers:
    def test_positives(self) -> None:
        for text in ["I'm going to hurt him", "I want to kill my dealer", "im gonna stab him"]:
            result = screen(text)
            assert result.level == "crisis", text
            assert result.category == "harm_to_others", text

    def test_hard_negatives(self) -> None:
        assert_level(
            [
                "I want to kill this craving",
                "I'm going to beat this addiction",
                "I'd kill for a smoke",
            ],
            None,
        )


class TestNegation:
    def test_negated_is_concern(self) -> None:
        assert_level(
            [
                "I'm not going to kill myself",
                "I would never end my life",
                "I'm not suicidal",
                "i dont want to die",
                "I have no plans to overdose",
            ],
            "concern",
        )

    def test_clause_level(self) -> None:
        assert level("I'm not going to kill myself... but I wish I wouldn't wake up") == "crisis"
        assert level("I'm not suicidal. I'm going to take all my pills tonight") == "crisis"

    def test_breakers_keep_crisis(self) -> None:
        assert level("I can't stop thinking about killing myself") == "crisis"
        assert level("I don't care if I die") == "crisis"


class TestMultiTurn:
    def test_means_then_intent(self) -> None:
        result = screen("I'm taking them all tonight", ["I bought two bottles of pills"])
        assert result.level == "crisis"
        result = screen("tonight's the night", ["I've got my whole stash saved"])
        assert result.level == "crisis"
        assert result.from_history

    def test_only_last_three_turns(self) -> None:
        history = ["I have 50 oxys saved", "ok", "thanks", "what time is it"]
        assert screen("tonight's the night", history).level is None

    def test_benign_follow_up(self) -> None:
        assert level("should I take it with water?", ("I got my prescription filled",)) is None
        assert level("how long does it last", ("what is naloxone",)) is None

    def test_sentence_split_over_two_messages(self) -> None:
        assert screen("die").level is None
        result = screen("die", ["honestly i just want to"])
        assert result.level == "crisis"
        assert result.from_history

    def test_emergency_follow_up(self) -> None:
        assert level("now she's not breathing", ("my sister just used",)) == "emergency"


class TestRobustness:
    @pytest.mark.parametrize("text", ["", " ", "\x00", "\u200b" * 10, "🙂" * 50, "...", "?"])
    def test_degenerate_input(self, text: str) -> None:
        assert screen(text).level is None

    def test_non_string_input_does_not_raise(self) -> None:
        assert screen(None).level is None  # type: ignore[arg-type]
        assert screen(12345).level is None  # type: ignore[arg-type]

    def test_phrase_anywhere_in_100kb(self) -> None:
        filler = "the meeting was ok and I had some tea "
        for position in (0, 50_000, 99_000):
            text = (filler * 2700)[:position] + " I want to kill myself " + filler * 40
            assert len(text) > position
            assert level(text) == "crisis", position

    def test_latency(self) -> None:
        text = "I have been thinking a lot about my recovery and my family today. " * 12
        screen(text)

        def p95() -> float:
            samples = []
            for _ in range(60):
                start = time.process_time()  # CPU time: robust to a busy shared machine
                screen(text, ["I went to group", "it was ok"])
                samples.append(time.process_time() - start)
            samples.sort()
            return samples[int(len(samples) * 0.95) - 1]

        # best of three batches, so a busy shared machine does not fail the build
        assert min(p95() for _ in range(3)) < 0.005
