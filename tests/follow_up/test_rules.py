"""The questionnaires' rules, without a database: when one opens and closes, when an internship week ends, what an
answer must hold, how the figures are rounded."""

import datetime
from decimal import Decimal

import pytest

from backend.follow_up import rules
from backend.follow_up.rules import State

UTC = datetime.UTC
END = datetime.datetime(2027, 5, 18, 16, 0, tzinfo=UTC)
SECOND = datetime.timedelta(seconds=1)


def test_a_questionnaire_opens_at_the_end_and_closes_sixty_days_later():
    assert rules.state(held=True, ends_at=END, now=END - SECOND) == State.NOT_YET
    assert rules.state(held=True, ends_at=END, now=END) == State.OPEN
    assert rules.state(held=True, ends_at=END, now=END + datetime.timedelta(days=60)) == State.OPEN
    assert rules.state(held=True, ends_at=END, now=END + datetime.timedelta(days=60) + SECOND) == State.CLOSED
    assert rules.closes_at(END) == datetime.datetime(2027, 7, 17, 16, 0, tzinfo=UTC)


def test_the_window_follows_the_setting(settings):
    settings.FEEDBACK_WINDOW_DAYS = 7
    assert rules.state(held=True, ends_at=END, now=END + datetime.timedelta(days=7)) == State.OPEN
    assert rules.state(held=True, ends_at=END, now=END + datetime.timedelta(days=7, seconds=1)) == State.CLOSED


def test_an_event_that_did_not_take_place_never_opens_and_an_answer_stays_answered():
    assert rules.state(held=False, ends_at=END, now=END + SECOND) == State.NOT_HELD
    assert rules.state(held=True, ends_at=END, now=END + SECOND, answered=True) == State.ANSWERED
    assert rules.state(held=True, ends_at=END, now=END + datetime.timedelta(days=90), answered=True) == State.ANSWERED


@pytest.mark.parametrize(
    ("status", "held"),
    [("published", True), ("draft", False), ("proposed", False), ("cancelled", False)],
)
def test_a_session_took_place_when_published(status, held):
    assert rules.session_held(status) is held


@pytest.mark.parametrize(
    ("status", "held"),
    [("booked", True), ("attended", True), ("no_show", False), ("cancelled", False)],
)
def test_a_tutoring_appointment_took_place_unless_cancelled_or_missed(status, held):
    assert rules.tutoring_held(status) is held


@pytest.mark.parametrize(
    ("status", "held"),
    [("confirmed", True), ("accepted", False), ("submitted", False), ("withdrawn", False), ("expired", False)],
)
def test_an_internship_took_place_when_confirmed(status, held):
    assert rules.internship_held(status) is held


@pytest.mark.parametrize(
    ("week_start", "time_zone", "ends_at"),
    [
        # Saturday 00:00 local time: summer time in Paris, La Réunion (UTC+4), Tahiti (UTC−10).
        (datetime.date(2027, 5, 10), "Europe/Paris", datetime.datetime(2027, 5, 14, 22, 0, tzinfo=UTC)),
        (datetime.date(2027, 5, 10), "Indian/Reunion", datetime.datetime(2027, 5, 14, 20, 0, tzinfo=UTC)),
        (datetime.date(2027, 5, 10), "Pacific/Tahiti", datetime.datetime(2027, 5, 15, 10, 0, tzinfo=UTC)),
        # Winter time in Paris, and the week whose Sunday brings winter time back (still summer time on Saturday).
        (datetime.date(2027, 3, 22), "Europe/Paris", datetime.datetime(2027, 3, 26, 23, 0, tzinfo=UTC)),
        (datetime.date(2027, 10, 25), "Europe/Paris", datetime.datetime(2027, 10, 29, 22, 0, tzinfo=UTC)),
        (datetime.date(2027, 5, 10), "", datetime.datetime(2027, 5, 14, 22, 0, tzinfo=UTC)),
    ],
)
def test_an_internship_week_ends_when_its_friday_is_over_in_the_offer_s_zone(week_start, time_zone, ends_at):
    assert rules.internship_ends_at(week_start, time_zone) == ends_at


def test_a_pupil_s_answer():
    values, errors = rules.clean_answer(role="pupil", satisfaction="4", helped_choose="a_little", comment="  ")
    assert errors == {}
    assert values == {"satisfaction": 4, "helped_choose": "a_little", "comment": ""}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": "très"}, "satisfaction"),
        ({"satisfaction": None}, "satisfaction"),
        ({"helped_choose": ""}, "helped_choose"),
        ({"helped_choose": "maybe"}, "helped_choose"),
        ({"comment": "Super"}, "comment"),
    ],
)
def test_what_a_pupil_may_not_answer(fields, field):
    answer = {"satisfaction": 5, "helped_choose": "yes", "comment": ""} | fields
    _, errors = rules.clean_answer(role="pupil", **answer)
    assert list(errors) == [field]
    assert errors[field]


def test_an_adult_s_answer_and_what_an_adult_may_not_answer():
    values, errors = rules.clean_answer(role="host", satisfaction=5, helped_choose="", comment=" Très bonne classe. ")
    assert errors == {}
    assert values == {"satisfaction": 5, "helped_choose": "", "comment": "Très bonne classe."}
    assert rules.clean_answer(role="host", satisfaction=5, helped_choose="", comment="x" * 1000)[1] == {}

    _, errors = rules.clean_answer(role="host", satisfaction=5, helped_choose="yes", comment="")
    assert list(errors) == ["helped_choose"]
    _, errors = rules.clean_answer(role="host", satisfaction=5, helped_choose="", comment="x" * 1001)
    assert list(errors) == ["comment"]
    assert "1001" in errors["comment"]


def test_figures_are_rounded_as_people_round():
    assert rules.one_decimal(3.25) == Decimal("3.3")
    assert rules.one_decimal(3.24999) == Decimal("3.2")
    assert rules.one_decimal(None) is None
    assert rules.share(1, 3) == Decimal("33.3")
    assert rules.share(2, 3) == Decimal("66.7")
    assert rules.share(0, 0) is None
