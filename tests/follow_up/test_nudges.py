"""Nudges: a teacher sends one of the fixed messages to a pupil of her class, at most once a day per message; the
pupil sees it on her home and marks it seen; an e-mail only when she has an address; nothing written on bad input."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.follow_up import class_follow_up as follow_up
from backend.follow_up.models import Nudge, NudgeKind
from backend.schools.models import Enrolment
from tests import factories
from tests.follow_up.class_support import ClassCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return ClassCast()


def nudge_url(cast, pupil):
    return reverse("follow_up:nudge", args=[cast.school_class.pk, pupil.pk])


def send(client, user, cast, pupil, kind="apply", **extra):
    client.force_login(user)
    return client.post(nudge_url(cast, pupil), {"kind": kind, **extra}, follow=True)


def test_a_teacher_nudges_a_pupil_once_a_day_per_message(client, cast, django_capture_on_commit_callbacks):
    pupil = cast.pupil("Inès", "Benali")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, cast.teacher, cast, pupil, "apply")
    assert "Message envoyé à Inès B. : « Candidater à des offres de stage »." in response.content.decode()
    nudge = Nudge.objects.get()
    assert (nudge.pupil, nudge.school_class, nudge.sent_by, nudge.kind, nudge.seen_at) == (
        pupil,
        cast.school_class,
        cast.teacher,
        NudgeKind.APPLY,
        None,
    )
    assert nudge.sent_on == timezone.localdate(timezone=zoneinfo.ZoneInfo("Europe/Paris"))  # her day
    assert mail.outbox == []  # pupils have no e-mail address here

    # The same message again today: refused, with a message, nothing written.
    response = send(client, cast.teacher, cast, pupil, "apply")
    assert "Inès B. a déjà reçu ce message aujourd&#x27;hui." in response.content.decode()
    assert Nudge.objects.count() == 1
    # Another message the same day is fine; the page says which ones went today.
    send(client, cast.teacher, cast, pupil, "videos")
    assert Nudge.objects.count() == 2
    page = client.get(reverse("follow_up:class_follow_up", args=[cast.school_class.pk]))
    assert page.context["rows"][0].sent_today == {"apply", "videos"}
    assert "(déjà envoyé aujourd'hui)" in page.content.decode()


def test_the_same_message_goes_again_the_next_day_of_the_pupil(cast):
    pupil = cast.pupil("Inès", time_zone="Indian/Reunion")
    # 19:00 UTC is 23:00 in La Réunion (UTC+4); 20:30 UTC is already the next day there.
    first = datetime.datetime(2027, 1, 20, 19, 0, tzinfo=datetime.UTC)
    later = datetime.datetime(2027, 1, 20, 20, 30, tzinfo=datetime.UTC)
    a = follow_up.nudge_send(
        school_class=cast.school_class, pupil=pupil, sent_by=cast.teacher, kind="apply", now=first
    )
    b = follow_up.nudge_send(
        school_class=cast.school_class, pupil=pupil, sent_by=cast.teacher, kind="apply", now=later
    )
    assert (a.sent_on, b.sent_on) == (datetime.date(2027, 1, 20), datetime.date(2027, 1, 21))
    with pytest.raises(follow_up.NudgeError) as refused:
        follow_up.nudge_send(
            school_class=cast.school_class, pupil=pupil, sent_by=cast.teacher, kind="apply", now=later
        )
    assert refused.value.code == "already_sent"


def test_an_email_only_when_the_pupil_has_an_address(client, cast, django_capture_on_commit_callbacks):
    with_address = cast.pupil("Inès", email="ines@example.org")
    without = cast.pupil("Yanis")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, cast.teacher, cast, with_address, "tutoring")
        send(client, cast.teacher, cast, without, "tutoring")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ines@example.org"]
    assert message.subject == "Passerelle : un message de ton professeur"
    assert "Bonjour Inès," in message.body
    assert "réserver un rendez-vous avec un tuteur" in message.body
    assert reverse("scheduling:slots") in message.body


@pytest.mark.parametrize("kind", ["nimporte", "", "APPLY", "<b>"])
def test_an_unknown_message_is_refused(client, cast, kind):
    pupil = cast.pupil("Inès")
    response = send(client, cast.teacher, cast, pupil, kind)
    assert response.status_code == 200
    assert "Choisissez un des messages proposés." in response.content.decode()
    assert not Nudge.objects.exists()


def test_no_kind_at_all(client, cast):
    pupil = cast.pupil("Inès")
    client.force_login(cast.teacher)
    response = client.post(nudge_url(cast, pupil), {}, follow=True)
    assert "Choisissez un des messages proposés." in response.content.decode()
    assert not Nudge.objects.exists()


def test_only_her_pupils(client, cast):
    pupil = cast.pupil("Inès")
    other = ClassCast()
    stranger = other.pupil("Yanis")
    # A pupil of another class, through her class's address: 404.
    assert send(client, cast.teacher, cast, stranger).status_code == 404
    # Her pupil through another teacher's class address, and another teacher on her class: 404.
    client.force_login(cast.teacher)
    assert client.post(nudge_url(other, pupil), {"kind": "apply"}).status_code == 404
    assert send(client, other.teacher, cast, pupil).status_code == 404
    # The head and platform staff read the page but do not nudge.
    head = factories.SchoolStaffFactory(school=cast.school, head=True).user
    assert send(client, head, cast, pupil).status_code == 404
    assert send(client, factories.UserFactory(staff=True), cast, pupil).status_code == 404
    # The pupil herself.
    assert send(client, pupil, cast, pupil).status_code == 404
    # A pupil who left the class.
    Enrolment.objects.filter(pupil=pupil).update(left_at=timezone.now())
    assert send(client, cast.teacher, cast, pupil).status_code == 404
    assert not Nudge.objects.exists()


def test_the_service_refuses_what_the_view_would_not_reach(cast):
    pupil = cast.pupil("Inès")
    other = ClassCast()
    for teacher, pupil_ in ((other.teacher, pupil), (cast.teacher, other.pupil("Yanis"))):
        with pytest.raises(follow_up.NudgeError) as refused:
            follow_up.nudge_send(school_class=cast.school_class, pupil=pupil_, sent_by=teacher, kind="apply")
        assert refused.value.code == "not_allowed"
    assert not Nudge.objects.exists()


def test_a_get_is_refused(client, cast):
    pupil = cast.pupil("Inès")
    client.force_login(cast.teacher)
    assert client.get(nudge_url(cast, pupil)).status_code == 405
    assert not Nudge.objects.exists()


def test_the_filter_is_kept_after_a_nudge(client, cast):
    pupil = cast.pupil("Inès")
    client.force_login(cast.teacher)
    response = client.post(nudge_url(cast, pupil), {"kind": "session", "filtre": "no_internship"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("follow_up:class_follow_up", args=[cast.school_class.pk]) + f"?filtre=no_internship#eleve-{pupil.pk}"
    )
    response = client.post(nudge_url(cast, pupil), {"kind": "videos", "filtre": "javascript:alert(1)"})
    assert response["Location"].endswith(f"/suivi/classes/{cast.school_class.pk}/#eleve-{pupil.pk}")


# --- The pupil's side ---------------------------------------------------------------------------------------------


def test_the_pupil_sees_it_on_her_home_and_marks_it_seen(client, cast):
    pupil = cast.pupil("Inès")
    nudge = follow_up.nudge_send(school_class=cast.school_class, pupil=pupil, sent_by=cast.teacher, kind="videos")
    client.force_login(pupil)
    home = client.get(reverse("ui:home_pupil")).content.decode()
    assert "Un message de ton professeur" in home
    assert "Ton professeur te conseille de regarder des vidéos sur les métiers" in home
    assert "Sophie Durand" in home
    assert reverse("videos:library") in home
    seen_url = reverse("follow_up:nudge_seen", args=[nudge.pk])
    assert seen_url in home

    response = client.post(seen_url)
    assert response.status_code == 302
    nudge.refresh_from_db()
    assert nudge.seen_at is not None
    first_seen = nudge.seen_at
    home = client.get(reverse("ui:home_pupil")).content.decode()
    assert "Un message de ton professeur" not in home
    # Twice: still fine, the first moment kept.
    assert client.post(seen_url).status_code == 302
    nudge.refresh_from_db()
    assert nudge.seen_at == first_seen


def test_only_the_pupil_marks_her_nudge_seen(client, cast):
    pupil = cast.pupil("Inès")
    classmate = cast.pupil("Yanis")
    nudge = follow_up.nudge_send(school_class=cast.school_class, pupil=pupil, sent_by=cast.teacher, kind="apply")
    url = reverse("follow_up:nudge_seen", args=[nudge.pk])
    for someone in (classmate, cast.teacher):
        client.force_login(someone)
        assert client.post(url).status_code == 404
    client.force_login(pupil)
    assert client.get(url).status_code == 405
    assert client.post(reverse("follow_up:nudge_seen", args=[nudge.pk + 1000])).status_code == 404
    nudge.refresh_from_db()
    assert nudge.seen_at is None


def test_the_pupils_home_costs_one_query_for_her_nudges(client, cast, django_assert_max_num_queries):
    pupil = cast.pupil("Inès")
    client.force_login(pupil)
    url = reverse("ui:home_pupil")
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    for kind in NudgeKind.values:
        follow_up.nudge_send(school_class=cast.school_class, pupil=pupil, sent_by=cast.teacher, kind=kind)
    with django_assert_max_num_queries(len(without)):
        response = client.get(url)
    assert response.content.decode().count("J&#x27;ai vu") + response.content.decode().count("J'ai vu") == 4


def test_a_pupil_awaiting_her_guardians_consent_is_only_invited_to_watch_videos(client, cast):
    pupil = cast.pupil("Inès", pupil_profile__consent_status="pending")
    response = send(client, cast.teacher, cast, pupil, "apply")
    assert "vous pouvez seulement l&#x27;inviter à regarder des vidéos." in response.content.decode()
    assert not Nudge.objects.exists()
    page = client.get(reverse("follow_up:class_follow_up", args=[cast.school_class.pk]))
    assert page.context["rows"][0].nudge_kinds == [("videos", "Regarder des vidéos sur les métiers")]
    send(client, cast.teacher, cast, pupil, "videos")
    assert Nudge.objects.get().kind == "videos"
