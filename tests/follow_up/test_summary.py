"""The figures the dashboards will show, against answers whose figures are known: count, mean, distribution, share
of "it helped me choose", in one query; and the helpers that pick an association's, a school's or a class's answers."""

from decimal import Decimal

import pytest

from backend.follow_up import selectors, services
from backend.follow_up.models import FeedbackAnswer
from tests import factories
from tests.follow_up.support import DAY, NOW, Cast

pytestmark = pytest.mark.django_db


def submit(user, kind, target, **fields):
    values = {"satisfaction": 4, "helped_choose": "", "comment": ""} | fields
    return services.answer_submit(user=user, kind=kind, target_id=target.pk, now=NOW, **values)


@pytest.fixture
def answered():
    """3e B (two pupils, plus three more) and the hosts answer about a session; Inès and the tutor about tutoring;
    a pupil of another school, with another association, about a session of it."""
    cast = Cast(NOW)
    pupils = [cast.pupil, cast.other_pupil] + [
        factories.EnrolmentFactory(school_class=cast.school_class).pupil for _ in range(3)
    ]
    session = cast.session()
    for pupil, (note, helped) in zip(
        pupils, [(5, "yes"), (4, "yes"), (4, "a_little"), (2, "no"), (5, "yes")], strict=True
    ):
        submit(pupil, "session", session, satisfaction=note, helped_choose=helped)
    submit(cast.professional, "session", session, satisfaction=5, comment="Classe très curieuse.")
    submit(cast.facilitator, "session", session, satisfaction=3)
    booking = cast.tutoring()
    submit(cast.pupil, "tutoring", booking, satisfaction=1, helped_choose="no")
    submit(cast.tutor, "tutoring", booking, satisfaction=4)

    other = Cast(NOW)
    other_session = other.session(ended_ago=5 * DAY)
    submit(other.pupil, "session", other_session, satisfaction=3, helped_choose="a_little")
    return cast, other


def test_the_summary_of_every_answer(answered, django_assert_num_queries):
    with django_assert_num_queries(1):
        summary = selectors.satisfaction_summary(selectors.answers())
    # Notes: 5 4 4 2 5 | 5 3 | 1 4 | 3 → 36 / 10.
    assert summary.count == 10
    assert summary.mean == Decimal("3.6")
    assert summary.distribution == {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}
    # Pupils: yes ×3, a little ×2, no ×2.
    assert summary.helped_choose == {"yes": 3, "a_little": 2, "no": 2}
    assert summary.helped_choose_count == 7
    assert summary.helped_choose_share == {"yes": Decimal("42.9"), "a_little": Decimal("28.6"), "no": Decimal("28.6")}


def test_summaries_by_kind_role_association_school_and_class(answered):
    cast, other = answered
    pupils_on_sessions = selectors.satisfaction_summary(selectors.answers(kind="session", role="pupil"))
    assert (pupils_on_sessions.count, pupils_on_sessions.mean) == (6, Decimal("3.8"))  # 23 / 6 = 3.83

    hosts = selectors.satisfaction_summary(selectors.answers(role="host"))
    assert (hosts.count, hosts.mean, hosts.helped_choose_count) == (3, Decimal("4.0"), 0)
    assert hosts.helped_choose_share == {"yes": None, "a_little": None, "no": None}

    association = selectors.satisfaction_summary(selectors.answers_of_association(cast.association))
    assert (association.count, association.mean) == (9, Decimal("3.7"))  # 33 / 9 = 3.67
    other_association = selectors.satisfaction_summary(selectors.answers_of_association(other.association))
    assert (other_association.count, other_association.mean) == (1, Decimal("3.0"))

    school = selectors.satisfaction_summary(selectors.answers_of_school(cast.school))
    assert (school.count, school.mean) == (6, Decimal("3.5"))  # the pupils' answers only: 21 / 6
    assert school.helped_choose == {"yes": 3, "a_little": 1, "no": 2}
    school_sessions = selectors.satisfaction_summary(
        selectors.answers_of_school(cast.school, selectors.answers(kind="session"))
    )
    assert (school_sessions.count, school_sessions.mean) == (5, Decimal("4.0"))

    class_summary = selectors.satisfaction_summary(selectors.answers_of_class(cast.school_class))
    assert class_summary == school
    assert selectors.satisfaction_summary(selectors.answers_of_class(other.school_class)).count == 1


def test_answers_between_two_dates(answered):
    FeedbackAnswer.objects.filter(respondent_role="host").update(created_at=NOW - 10 * DAY)
    recent = selectors.satisfaction_summary(selectors.answers(since=NOW - DAY))
    older = selectors.satisfaction_summary(selectors.answers(until=NOW - DAY))
    assert (recent.count, older.count) == (7, 3)


def test_the_summary_of_nothing():
    summary = selectors.satisfaction_summary(FeedbackAnswer.objects.none())
    assert summary.count == 0
    assert summary.mean is None
    assert summary.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert summary.helped_choose == {"yes": 0, "a_little": 0, "no": 0}
    assert summary.helped_choose_share == {"yes": None, "a_little": None, "no": None}
