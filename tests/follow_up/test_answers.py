"""`answer_submit`: what an answer keeps, every refusal (nothing written), the database's own guarantees, rows that
outlive the respondent's account, and two answers racing on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from backend.follow_up import services
from backend.follow_up.models import FeedbackAnswer
from backend.follow_up.services import FeedbackError
from scheduling.enums import BookingStatus
from tests.follow_up.support import DAY, NOW, Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return Cast(NOW)


def submit(user, kind, target, **fields):
    values = {"satisfaction": 4, "helped_choose": "", "comment": ""} | fields
    return services.answer_submit(user=user, kind=kind, target_id=target.pk, now=NOW, **values)


def test_a_pupil_s_answer_keeps_the_facts_the_dashboards_count_by(cast):
    session = cast.session()  # sector "J14": Santé
    answer = submit(cast.pupil, "session", session, satisfaction=5, helped_choose="a_little")
    answer.refresh_from_db()
    assert (answer.kind, answer.respondent, answer.respondent_role) == ("session", cast.pupil, "pupil")
    assert (answer.session, answer.tutoring_booking, answer.application) == (session, None, None)
    assert (answer.satisfaction, answer.helped_choose, answer.comment) == (5, "a_little", "")
    assert answer.association == cast.association
    assert answer.sector == "J"
    assert (answer.school, answer.school_class) == (cast.school, cast.school_class)
    assert (answer.school_priority, answer.school_qpv, answer.departement) == ("rep_plus", True, "93")
    assert answer.created_at == NOW


def test_an_adult_s_answer_keeps_the_event_and_no_school(cast):
    application = cast.internship()
    answer = submit(cast.employer, "internship", application, satisfaction=3, comment="  Élève motivée.  ")
    answer.refresh_from_db()
    assert (answer.respondent_role, answer.application, answer.comment, answer.helped_choose) == (
        "host",
        application,
        "Élève motivée.",
        "",
    )
    assert answer.sector == "H"  # the offer's
    assert answer.association is None  # posted by the organisation itself
    assert (answer.school, answer.school_class, answer.school_priority, answer.school_qpv, answer.departement) == (
        None,
        None,
        "",
        None,
        "",
    )


def test_tutoring_answers_belong_to_the_tutor_s_association(cast):
    booking = cast.tutoring()
    tutor_answer = submit(cast.tutor, "tutoring", booking, satisfaction=5)
    pupil_answer = submit(cast.pupil, "tutoring", booking, helped_choose="yes")
    assert tutor_answer.association == pupil_answer.association == cast.association
    assert tutor_answer.sector == pupil_answer.sector == ""


def test_an_offer_posted_by_an_association_counts_for_it(cast):
    application = cast.internship(association=cast.association)
    assert submit(cast.pupil, "internship", application, helped_choose="no").association == cast.association


@pytest.mark.parametrize(
    ("who", "make", "code"),
    [
        ("teacher", lambda cast: cast.session(), "not_eligible"),
        ("pupil", lambda cast: cast.session(ended_ago=-DAY), "not_yet"),
        ("pupil", lambda cast: cast.session(ended_ago=61 * DAY), "closed"),
        ("professional", lambda cast: cast.session(status="cancelled"), "not_held"),
        ("pupil", lambda cast: cast.tutoring(status=BookingStatus.NO_SHOW), "not_held"),
        ("other_pupil", lambda cast: cast.tutoring(), "not_eligible"),
    ],
)
def test_refusals_write_nothing(cast, who, make, code):
    target = make(cast)
    kind = "session" if target.__class__.__name__ == "DiscoverySession" else "tutoring"
    with pytest.raises(FeedbackError) as refused:
        submit(getattr(cast, who), kind, target, helped_choose="yes" if "pupil" in who else "")
    assert refused.value.code == code
    assert str(refused.value)
    assert not FeedbackAnswer.objects.exists()


def test_an_unknown_kind_or_event_is_refused(cast):
    session = cast.session()
    with pytest.raises(FeedbackError) as refused:
        services.answer_submit(user=cast.pupil, kind="webinar", target_id=session.pk, satisfaction=4, now=NOW)
    assert refused.value.code == "not_eligible"
    with pytest.raises(FeedbackError):
        services.answer_submit(user=cast.pupil, kind="session", target_id=999999, satisfaction=4, now=NOW)
    assert not FeedbackAnswer.objects.exists()


@pytest.mark.parametrize(
    ("who", "fields", "field"),
    [
        ("pupil", {"satisfaction": 0, "helped_choose": "yes"}, "satisfaction"),
        ("pupil", {"satisfaction": "6", "helped_choose": "yes"}, "satisfaction"),
        ("pupil", {"helped_choose": ""}, "helped_choose"),
        ("pupil", {"helped_choose": "yes", "comment": "C'était bien"}, "comment"),
        ("professional", {"helped_choose": "yes"}, "helped_choose"),
        ("professional", {"comment": "x" * 1001}, "comment"),
    ],
)
def test_bad_values_are_refused_and_nothing_written(cast, who, fields, field):
    session = cast.session()
    with pytest.raises(FeedbackError) as refused:
        submit(getattr(cast, who), "session", session, **fields)
    assert (refused.value.code, refused.value.field) == ("invalid", field)
    assert not FeedbackAnswer.objects.exists()


def test_a_second_answer_is_refused(cast):
    session = cast.session()
    submit(cast.professional, "session", session)
    with pytest.raises(FeedbackError) as refused:
        submit(cast.professional, "session", session, satisfaction=1)
    assert refused.value.code == "already_answered"
    assert list(FeedbackAnswer.objects.values_list("satisfaction", flat=True)) == [4]
    # Others still answer the same session.
    submit(cast.facilitator, "session", session)
    submit(cast.pupil, "session", session, helped_choose="yes")
    assert FeedbackAnswer.objects.count() == 3


@pytest.mark.parametrize(
    "fields",
    [
        {"satisfaction": 6},
        {"satisfaction": 0},
        {"helped_choose": ""},  # a pupil must say
        {"comment": "Un commentaire"},  # a pupil writes none
        {"respondent_role": "host", "helped_choose": "yes"},
        {"tutoring_booking_id": "booking"},  # a session's answer names no other event
    ],
)
def test_the_database_refuses_what_the_service_refuses(cast, fields):
    session, booking = cast.session(), cast.tutoring()
    values = {
        "kind": "session",
        "respondent": cast.pupil,
        "respondent_role": "pupil",
        "session": session,
        "satisfaction": 4,
        "helped_choose": "yes",
    } | fields
    if values.get("tutoring_booking_id") == "booking":
        values["tutoring_booking_id"] = booking.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackAnswer.objects.create(**values)


def test_answers_outlive_the_respondent_s_account(cast):
    booking = cast.tutoring()
    session = cast.session()
    submit(cast.pupil, "tutoring", booking, satisfaction=2, helped_choose="no")
    submit(cast.pupil, "session", session, satisfaction=5, helped_choose="yes")
    submit(cast.tutor, "tutoring", booking, satisfaction=3)
    # Deleting her account takes her bookings with it; the answers stay, without her, still counted by school.
    cast.pupil.delete()
    rows = FeedbackAnswer.objects.filter(respondent_role="pupil").order_by("satisfaction")
    assert [(row.respondent_id, row.satisfaction, row.school_id, row.kind) for row in rows] == [
        (None, 2, cast.school.pk, "tutoring"),
        (None, 5, cast.school.pk, "session"),
    ]
    assert rows[0].tutoring_booking_id is None
    assert FeedbackAnswer.objects.get(respondent=cast.tutor).tutoring_booking_id is None


# --- Two answers at once ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_answers_racing_give_one_row():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions (set DATABASE_URL)")
    cast = Cast(NOW)
    session = cast.session()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(satisfaction):
        try:
            barrier.wait(timeout=30)
            submit(cast.professional, "session", session, satisfaction=satisfaction)
            outcome = "answered"
        except FeedbackError as error:
            outcome = error.code
        except Exception as error:  # reported by the assertion
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(note,)) for note in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already_answered", "answered"]
    assert FeedbackAnswer.objects.filter(respondent=cast.professional, session=session).count() == 1


def test_the_window_is_counted_from_each_event_s_end(cast, settings):
    settings.FEEDBACK_WINDOW_DAYS = 10
    session = cast.session(ended_ago=11 * DAY)
    with pytest.raises(FeedbackError) as refused:
        submit(cast.pupil, "session", session, helped_choose="yes")
    assert refused.value.code == "closed"
    assert "10 jours" in str(refused.value)
    fresh = cast.session(ended_ago=datetime.timedelta(days=10))
    assert submit(cast.pupil, "session", fresh, helped_choose="yes").pk
