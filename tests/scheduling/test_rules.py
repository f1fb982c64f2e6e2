"""Pure rules of availability: RRULE parsing, a rule's and an exception's fields, overlaps, the cut-off."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from scheduling import rules
from scheduling.models import AvailabilityRule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=WE", "FREQ=WEEKLY;BYDAY=WE"),
        ("rrule: freq=weekly; byday=we,mo", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("FREQ=WEEKLY;INTERVAL=1;BYDAY=FR,TU", "FREQ=WEEKLY;BYDAY=TU,FR"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;WKST=MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;WKST=MO"),
        ("FREQ=DAILY", "FREQ=DAILY"),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
    ],
)
def test_parse_rrule_normalises(text, expected):
    assert rules.parse_rrule(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Indiquez une règle"),
        ("FREQ=MONTHLY;BYDAY=MO", "hebdomadaires"),
        ("FREQ=WEEKLY", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=XX", "jours de la semaine"),
        ("FREQ=WEEKLY;BYDAY=1MO", "jours de la semaine"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270101", "dates de début et de fin"),
        ("DTSTART=20270101;FREQ=WEEKLY;BYDAY=MO", "dates de début et de fin"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=3", "dates de début et de fin"),
        ("FREQ=WEEKLY;INTERVAL=0;BYDAY=MO", "intervalle"),
        ("FREQ=WEEKLY;INTERVAL=9;BYDAY=MO", "intervalle"),
        ("FREQ=WEEKLY;BYHOUR=9;BYDAY=MO", "ne peut contenir"),
        ("FREQ=WEEKLY;BYDAY", "mal formée"),
        ("FREQ=WEEKLY;FREQ=DAILY", "répète"),
        ("<script>", "mal formée"),
    ],
)
def test_parse_rrule_refuses(text, fragment):
    with pytest.raises(ValidationError) as error:
        rules.parse_rrule(text)
    assert fragment in " ".join(error.value.messages)


def test_weekly_rrule_from_checkboxes_and_back():
    text = rules.weekly_rrule([2, 0, 4])
    assert text == "FREQ=WEEKLY;BYDAY=MO,WE,FR"
    assert rules.rrule_weekdays(text) == [0, 2, 4]
    assert rules.rrule_weekdays("FREQ=DAILY") == list(range(7))
    assert rules.weekly_rrule([1], interval=2) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    with pytest.raises(ValidationError):
        rules.weekly_rrule([])


def test_occurrence_dates_respect_the_rule_dates_and_interval():
    days = rules.occurrence_dates(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        datetime.date(2027, 3, 1),
        datetime.date(2027, 4, 30),
        first=datetime.date(2027, 1, 1),
        last=datetime.date(2027, 12, 31),
    )
    assert days == [datetime.date(2027, 3, 3), datetime.date(2027, 3, 17), datetime.date(2027, 3, 31),
                    datetime.date(2027, 4, 14), datetime.date(2027, 4, 28)]  # fmt: skip
    assert rules.occurrence_dates("FREQ=DAILY", datetime.date(2027, 3, 5), None, first=datetime.date(2027, 3, 1),
                                  last=datetime.date(2027, 3, 4)) == []  # fmt: skip


def _fields(**overrides):
    fields = {
        "rrule": "FREQ=WEEKLY;BYDAY=WE",
        "starts_on": datetime.date(2027, 3, 1),
        "ends_on": None,
        "start_time": datetime.time(14),
        "end_time": datetime.time(17),
        "time_zone": "Europe/Paris",
        "slot_minutes": 45,
        "buffer_minutes": 15,
        "format": "group",
        "group_size": 3,
        "topics": ["cv", "homework", "cv"],
    }
    return {**fields, **overrides}


def test_validate_rule_cleans():
    cleaned = rules.validate_rule(**_fields(rrule="freq=weekly;byday=we"))
    assert cleaned["rrule"] == "FREQ=WEEKLY;BYDAY=WE"
    assert cleaned["topics"] == ["homework", "cv"]
    assert cleaned["purpose"] == "tutoring"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_time": datetime.time(13)}, "end_time"),
        ({"end_time": datetime.time(14, 30)}, "end_time"),  # shorter than one slot
        ({"ends_on": datetime.date(2027, 2, 1)}, "ends_on"),
        ({"starts_on": None}, "starts_on"),
        ({"slot_minutes": 50}, "slot_minutes"),
        ({"buffer_minutes": 121}, "buffer_minutes"),
        ({"group_size": 31}, "group_size"),
        ({"format": "one_to_one", "group_size": 2}, "group_size"),
        ({"format": "crowd"}, "format"),
        ({"topics": ["astrology"]}, "topics"),
        ({"topics": []}, "topics"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"rrule": "FREQ=YEARLY"}, "rrule"),
    ],
)
def test_validate_rule_refuses_with_a_field_message(overrides, field):
    with pytest.raises(ValidationError) as error:
        rules.validate_rule(**_fields(**overrides))
    assert field in error.value.message_dict
    assert all(message for message in error.value.message_dict[field])


def test_sessions_rules_need_no_topic():
    assert rules.validate_rule(**_fields(topics=[], purpose="sessions"))["topics"] == []


def test_validate_exception():
    day_off = rules.validate_exception(kind="unavailable", date=datetime.date(2027, 3, 3), time_zone="Europe/Paris")
    assert day_off["topics"] == []
    with pytest.raises(ValidationError) as error:
        rules.validate_exception(
            kind="unavailable", date=datetime.date(2027, 3, 3), start_time=datetime.time(9), time_zone="Europe/Paris"
        )
    assert "end_time" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        rules.validate_exception(kind="extra", date=datetime.date(2027, 3, 3), time_zone="Europe/Paris")
    assert "start_time" in error.value.message_dict
    extra = rules.validate_exception(
        kind="extra",
        date=datetime.date(2027, 3, 3),
        start_time=datetime.time(9),
        end_time=datetime.time(10),
        time_zone="Europe/Paris",
        slot_minutes=30,
        format="one_to_one",
        topics=["orientation"],
    )
    assert extra["topics"] == ["orientation"]
    with pytest.raises(ValidationError) as error:
        rules.validate_exception(kind="holiday", date=None)
    assert {"kind", "date"} <= set(error.value.message_dict)


def _rule(pk=None, **overrides) -> AvailabilityRule:
    fields = _fields(**overrides)
    fields.pop("topics")
    return AvailabilityRule(pk=pk, topics=["cv"], **fields)


def test_rules_overlap():
    wednesday = _rule(pk=1)
    assert rules.rules_overlap(wednesday, _rule(start_time=datetime.time(16), end_time=datetime.time(18)))
    assert not rules.rules_overlap(wednesday, _rule(start_time=datetime.time(17), end_time=datetime.time(18)))
    assert not rules.rules_overlap(wednesday, _rule(rrule="FREQ=WEEKLY;BYDAY=TH"))
    assert rules.rules_overlap(wednesday, _rule(rrule="FREQ=DAILY"))
    # Dates that never meet.
    assert not rules.rules_overlap(
        _rule(ends_on=datetime.date(2027, 3, 31)), _rule(starts_on=datetime.date(2027, 4, 1))
    )
    # Every other week, on alternate weeks: never together.
    assert not rules.rules_overlap(
        _rule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        _rule(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", starts_on=datetime.date(2027, 3, 8)),
    )
    # 10:00 in La Réunion is 07:00 in Paris in winter, 08:00 in summer: it meets a Paris rule 07:30–08:30.
    assert rules.rules_overlap(
        _rule(start_time=datetime.time(10), end_time=datetime.time(11), time_zone="Indian/Reunion"),
        _rule(start_time=datetime.time(7, 30), end_time=datetime.time(8, 30)),
    )
    assert rules.find_overlapping_rule(wednesday, [wednesday, _rule(rrule="FREQ=WEEKLY;BYDAY=TH")]) is None
    clash = _rule(pk=2, start_time=datetime.time(15), end_time=datetime.time(16))
    assert rules.find_overlapping_rule(wednesday, [clash]) is clash
    assert rules.find_overlapping_rule(wednesday, [_rule(pk=3, purpose="sessions")]) is None


def test_cancel_cutoff_reads_the_setting(settings):
    assert rules.cancel_cutoff_hours() == 24
    settings.SCHEDULING_CANCEL_CUTOFF_HOURS = 48
    assert rules.cancel_cutoff_hours() == 48
