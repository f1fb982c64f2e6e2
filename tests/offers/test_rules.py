"""The pure rules of offers: ISO weeks, ROME codes and the legal limits of the daily schedule."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from backend.offers import rules
from backend.offers.enums import Track

OBSERVATION = Track.OBSERVATION_3E
PFMP = Track.PFMP


def messages_of(schedule, track=OBSERVATION) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        rules.validate_schedule(schedule, track)
    return caught.value.messages


# --- ISO weeks ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W01", datetime.date(2025, 12, 29)),  # week 1 of 2026 starts in December 2025
        ("2027-W03", datetime.date(2027, 1, 18)),
        ("2026-W52", datetime.date(2026, 12, 21)),
        # 2026 begins on a Thursday, so it has 53 ISO weeks (ISO 8601); 2027 has 52.
        ("2026-W53", datetime.date(2026, 12, 28)),
        ("2027-W53", None),
        ("2027-W60", None),
        ("2027-W00", None),
        ("2027-03", None),
        ("2027W03", None),
        ("", None),
        ("semaine 3", None),
    ],
)
def test_parse_iso_week(text, monday):
    if monday is None:
        with pytest.raises(ValidationError) as caught:
            rules.parse_iso_week(text)
        assert caught.value.code == "invalid_week"
    else:
        assert rules.parse_iso_week(text) == monday
        assert monday.isoweekday() == 1
        assert rules.iso_week(monday) == text


def test_a_year_with_53_weeks():
    assert rules.parse_iso_week("2032-W53") == datetime.date(2032, 12, 27)
    assert rules.parse_iso_week("2026-W53") + datetime.timedelta(weeks=1) == rules.parse_iso_week("2027-W01")


def test_invalid_week_messages_are_for_people():
    with pytest.raises(ValidationError) as caught:
        rules.parse_iso_week("2027-W53")
    assert caught.value.messages == ["L'année 2027 n'a pas de semaine n° 53."]
    with pytest.raises(ValidationError) as caught:
        rules.parse_iso_week("2027-3")
    assert "2027-W03" in caught.value.messages[0]


def test_week_end_is_the_sunday():
    assert rules.week_end(datetime.date(2027, 1, 18)) == datetime.date(2027, 1, 24)


@pytest.mark.parametrize(
    ("code", "valid"), [("F1602", True), ("", True), ("f1602", False), ("Z1234", False), ("F16", False)]
)
def test_rome_code(code, valid):
    if valid:
        rules.validate_rome_code(code)
    else:
        with pytest.raises(ValidationError):
            rules.validate_rome_code(code)


# --- Schedules ------------------------------------------------------------------------------------------------


def test_the_default_schedule_is_valid_for_both_tracks():
    schedule = rules.default_schedule()
    assert rules.validate_schedule(schedule, OBSERVATION) == schedule
    assert rules.validate_schedule(schedule, PFMP) == schedule
    assert sum(rules.schedule_minutes(schedule).values()) == 5 * 390


def test_exactly_seven_hours_a_day_and_35_a_week_are_allowed_for_3e():
    schedule = {str(day): [["08:30", "12:00"], ["13:00", "16:30"]] for day in range(1, 6)}
    assert rules.schedule_minutes(schedule) == {day: 420 for day in range(1, 6)}
    assert rules.validate_schedule(schedule, OBSERVATION) == schedule


def test_one_minute_more_than_seven_hours_is_refused_for_3e():
    assert messages_of({"1": [["08:30", "12:00"], ["13:00", "16:31"]]}) == [
        "Le lundi : 7 h 01 de présence, au-delà des 7 h permises par jour."
    ]


def test_eight_hours_on_monday_for_3e():
    assert messages_of({"1": [["08:00", "12:00"], ["13:00", "17:00"]]}) == [
        "Le lundi : 8 h de présence, au-delà des 7 h permises par jour."
    ]
    # A PFMP allows 8 hours a day.
    assert rules.validate_schedule({"1": [["08:00", "12:00"], ["13:00", "17:00"]]}, PFMP)


def test_saturday_is_refused_for_3e_and_allowed_for_pfmp():
    schedule = {"1": [["09:00", "12:00"]], "6": [["09:00", "12:00"]]}
    assert messages_of(schedule) == ["Un stage d'observation de 3e a lieu du lundi au vendredi : pas de samedi."]
    assert rules.validate_schedule(schedule, PFMP) == schedule


def test_sunday_is_refused_for_pfmp():
    assert messages_of({"7": [["09:00", "12:00"]]}, PFMP) == [
        "Pas de présence le dimanche : les élèves accueillis sont mineurs."
    ]


def test_nothing_between_22_and_6():
    assert messages_of({"1": [["21:00", "23:00"]]}) == [
        "Le lundi : aucune présence n'est permise entre 22 h et 6 h (plage 21:00 – 23:00)."
    ]
    assert messages_of({"2": [["05:30", "09:00"]]})[0].startswith("Le mardi : aucune présence")
    # 22:00 and 06:00 themselves are the boundaries, allowed.
    assert rules.validate_schedule({"1": [["06:00", "08:00"], ["20:00", "22:00"]]}, OBSERVATION)
    assert messages_of({"1": [["20:00", "22:01"]]})[0].startswith("Le lundi : aucune présence")


def test_more_than_35_hours_a_week():
    # 7 h 15 a day is over the daily limit of 3e but not of a PFMP: 36 h 15 over the week.
    schedule = {str(day): [["08:00", "12:00"], ["13:00", "16:15"]] for day in range(1, 6)}
    assert messages_of(schedule, PFMP) == ["36 h 15 de présence sur la semaine, au-delà des 35 h permises."]
    # 36 h over six days of 6 h.
    six_days = {str(day): [["08:00", "12:00"], ["13:00", "15:00"]] for day in range(1, 7)}
    assert messages_of(six_days, PFMP) == ["36 h de présence sur la semaine, au-delà des 35 h permises."]
    # Exactly 35 h is allowed.
    exact = {str(day): [["08:00", "12:00"], ["13:00", "16:00"]] for day in range(1, 6)}
    assert rules.validate_schedule(exact, PFMP) == exact


def test_every_problem_is_listed_at_once():
    messages = messages_of({"1": [["08:00", "12:00"], ["13:00", "17:00"]], "6": [["09:00", "10:00"]]})
    assert len(messages) == 2


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"1": [["12:00", "09:00"]]}, "Le lundi : la plage 12:00 – 09:00 finit avant de commencer."),
        ({"1": [["09:00", "12:00"], ["11:00", "13:00"]]}, "Le lundi : les plages horaires se chevauchent."),
        ({"1": [["9h", "12:00"]]}, "« 9h » n'est pas une heure : écrivez-la comme 09:30."),
        ({"1": [["09:00", "10:00"], ["11:00", "12:00"], ["13:00", "14:00"]]}, "Le lundi : indiquez une ou deux"),
        ({"8": [["09:00", "10:00"]]}, "« 8 » n'est pas un jour de la semaine"),
        ({}, "Indiquez au moins un jour de présence avec ses horaires."),
        ({"1": []}, "Indiquez au moins un jour de présence avec ses horaires."),
        ({"1": [["09:00"]]}, "Le lundi : chaque plage a une heure de début et une heure de fin."),
    ],
)
def test_malformed_schedules(schedule, expected):
    assert any(message.startswith(expected) for message in messages_of(schedule)), messages_of(schedule)


def test_a_schedule_that_is_not_a_mapping():
    assert messages_of([["09:00", "12:00"]]) == ["L'emploi du temps n'a pas la bonne forme."]


def test_normalised_schedule_drops_empty_days_and_sorts():
    assert rules.validate_schedule({"2": [["09:00", "12:00"]], "1": [["09:00", "12:00"]], "3": []}, OBSERVATION) == {
        "1": [["09:00", "12:00"]],
        "2": [["09:00", "12:00"]],
    }
