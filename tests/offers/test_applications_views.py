"""The applications pages: what each person sees and may do, in French, with nothing written on bad input."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.offers import applications as services
from backend.offers.enums import ApplicationStatus
from backend.offers.models import Application
from tests import factories

pytestmark = pytest.mark.django_db

MOTIVATION = "J'aime bricoler et je voudrais voir comment on installe un tableau électrique."


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def new_pupil(world):
    return factories.EnrolmentFactory(
        school_class=world["school_class"], pupil__first_name="Awa", pupil__last_name="Traoré"
    ).pupil


# Applying -----------------------------------------------------------------------------------------------------------


def test_a_pupil_applies_through_the_form(client, world, new_pupil, mailoutbox, django_capture_on_commit_callbacks):
    offer = world["offer"]
    url = reverse("offers:apply", args=[offer.pk])
    page = signed_in(client, new_pupil).get(url)
    assert page.status_code == 200
    weeks = list(offer.weeks.order_by("week_start"))
    assert f'value="{weeks[0].pk}"' in page.content.decode()
    assert "2 places restantes" in text(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"motivation": MOTIVATION, "weeks": [weeks[1].pk]})
    application = Application.objects.get(pupil=new_pupil)
    assert response.status_code == 302
    assert response["Location"] == reverse("offers:application_detail", args=[application.pk])
    assert list(application.weeks.all()) == [weeks[1]]
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"motivation": "Trop court", "weeks": "first"}, "au moins 20 caractères"),
        ({"motivation": MOTIVATION}, "Choisis au moins une semaine."),
        ({"motivation": MOTIVATION, "weeks": "999999"}, "999999"),
    ],
)
def test_bad_input_shows_errors_and_writes_nothing(client, world, new_pupil, data, error):
    if data.get("weeks") == "first":
        data["weeks"] = world["offer"].weeks.first().pk
    response = signed_in(client, new_pupil).post(reverse("offers:apply", args=[world["offer"].pk]), data)
    assert response.status_code == 200
    assert error in text(response)
    assert not Application.objects.filter(pupil=new_pupil).exists()


def test_why_she_may_not_apply(client, world):
    url = reverse("offers:apply", args=[world["offer"].pk])
    page = text(signed_in(client, world["users"]["pupil_pending"]).get(url))
    assert "Tu ne peux pas candidater" in page
    assert "représentant légal" in page
    assert "<textarea" not in page
    page = text(signed_in(client, world["users"]["pupil"]).get(url))
    assert "déjà candidaté" in page
    assert reverse("offers:application_detail", args=[world["application"].pk]) in page
    # A refused POST writes nothing either.
    response = client.post(url, {"motivation": MOTIVATION, "weeks": world["offer"].weeks.first().pk})
    assert response.status_code == 200
    assert Application.objects.filter(pupil=world["users"]["pupil"]).count() == 1


def test_a_full_offer_says_so(client, world, new_pupil):
    world["offer"].weeks.update(seats_taken=2)
    page = text(signed_in(client, new_pupil).get(reverse("offers:apply", args=[world["offer"].pk])))
    assert "Cette offre est complète" in page


def test_an_offer_she_may_not_see_is_not_found(client, world, new_pupil):
    signed_in(client, new_pupil)
    assert client.get(reverse("offers:apply", args=[world["draft_offer"].pk])).status_code == 404
    assert client.get(reverse("offers:apply", args=[999999])).status_code == 404


# Her applications ---------------------------------------------------------------------------------------------------


def test_her_applications_highlight_what_changed_once(client, world):
    pupil = world["users"]["pupil"]
    application = world["application"]
    signed_in(client, pupil)
    page = text(client.get(reverse("offers:my_applications")))
    assert world["offer"].title in page
    assert "Envoyée" in page
    assert "Nouveau" not in page

    services.application_accept(application=application, by=world["users"]["employer"], week=application.weeks.get())
    page = text(client.get(reverse("offers:my_applications")))
    assert "Nouveau" in page
    assert "À confirmer" in page
    assert "Confirme avant le" in page
    assert "Nouveau" not in text(client.get(reverse("offers:my_applications")))


def test_the_confirmation_deadline_is_in_her_own_time_zone(client, world):
    pupil = world["users"]["pupil"]
    pupil.time_zone = "Pacific/Noumea"  # UTC+11
    pupil.save()
    application = world["application"]
    answered = datetime.datetime(2030, 1, 10, 20, 30, tzinfo=datetime.UTC)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.ACCEPTED, week=application.weeks.get(), answered_at=answered
    )
    page = text(signed_in(client, pupil).get(reverse("offers:my_applications")))
    assert "18 janvier 2030 07:30" in page  # 17 January 20:30 UTC, in Nouméa


# One application ----------------------------------------------------------------------------------------------------


def test_the_employer_sees_a_first_name_and_initial_and_opening_marks_it_read(client, world):
    application = world["application"]
    application.teacher_note = "Très motivée, à soutenir."
    application.save()
    pupil = world["users"]["pupil"]
    page = text(
        signed_in(client, world["users"]["employer"]).get(reverse("offers:application_detail", args=[application.pk]))
    )
    assert pupil.display_name in page
    assert pupil.last_name not in page
    assert "Très motivée" not in page
    assert application.motivation in page
    assert "Accepter pour cette semaine" in page
    assert "Refuser la candidature" in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READ


def test_the_teacher_sees_the_full_name_and_her_note_and_does_not_mark_it_read(client, world):
    application = world["application"]
    application.teacher_note = "Très motivée, à soutenir."
    application.save()
    page = text(
        signed_in(client, world["users"]["teacher"]).get(reverse("offers:application_detail", args=[application.pk]))
    )
    assert world["users"]["pupil"].get_full_name() in page
    assert "Très motivée" in page
    assert "Accepter pour cette semaine" not in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_pupil_never_sees_the_teachers_note(client, world):
    application = world["application"]
    application.teacher_note = "Très motivée, à soutenir."
    application.save()
    signed_in(client, world["users"]["pupil"])
    for url in (reverse("offers:application_detail", args=[application.pk]), reverse("offers:my_applications")):
        assert "Très motivée" not in text(client.get(url))


def test_the_employer_accepts_then_the_pupil_confirms(client, world):
    application = world["application"]
    week = application.weeks.get()
    response = signed_in(client, world["users"]["employer"]).post(
        reverse("offers:application_answer", args=[application.pk]), {"decision": "accept", "week": week.pk}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.week) == (ApplicationStatus.ACCEPTED, week)

    signed_in(client, world["users"]["pupil"])
    page = text(client.get(reverse("offers:application_detail", args=[application.pk])))
    assert "Je confirme ce stage" in page
    response = client.post(reverse("offers:application_confirm", args=[application.pk]), follow=True)
    assert "Ton stage est confirmé" in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED


def test_declining_needs_details_for_other(client, world):
    application = world["application"]
    url = reverse("offers:application_answer", args=[application.pk])
    signed_in(client, world["users"]["employer"])
    response = client.post(url, {"decision": "decline", "reason": "other", "detail": ""})
    assert response.status_code == 200
    assert "Précisez la raison du refus" in text(response)
    response = client.post(url, {"decision": "accept"})
    assert response.status_code == 200
    assert "Choisissez la semaine" in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    response = client.post(url, {"decision": "decline", "reason": "other", "detail": "Atelier en travaux"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED


def test_answering_a_closed_application_says_why(client, world):
    application = world["application"]
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.WITHDRAWN)
    response = signed_in(client, world["users"]["employer"]).post(
        reverse("offers:application_answer", args=[application.pk]),
        {"decision": "decline", "reason": "full"},
        follow=True,
    )
    assert "elle n'attend plus de réponse" in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_confirming_a_declined_one_is_refused_with_a_message(client, world):
    application = world["application"]
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.DECLINED)
    response = signed_in(client, world["users"]["pupil"]).post(
        reverse("offers:application_confirm", args=[application.pk]), follow=True
    )
    assert "il n'y a rien à confirmer" in text(response)


def test_the_pupil_withdraws(client, world):
    application = world["application"]
    response = signed_in(client, world["users"]["pupil"]).post(
        reverse("offers:application_withdraw", args=[application.pk])
    )
    assert response["Location"] == reverse("offers:my_applications")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_the_managers_list_groups_by_state_with_seats_per_week(client, world):
    offer = world["offer"]
    declined = factories.ApplicationFactory(offer=offer, status=ApplicationStatus.DECLINED)
    page = text(
        signed_in(client, world["users"]["employer"]).get(reverse("offers:offer_applications", args=[offer.pk]))
    )
    assert "Envoyée (1)" in page
    assert "Refusée (1)" in page
    assert page.index("Envoyée (1)") < page.index("Refusée (1)")
    assert world["users"]["pupil"].display_name in page
    assert declined.pupil.display_name in page
    assert world["users"]["pupil"].last_name not in page
    assert "Non lue" in page
    for week in offer.weeks.all():
        assert week.iso_week in page


# The class ----------------------------------------------------------------------------------------------------------


def test_the_class_page_lists_applications_with_the_note_editable(client, world, new_pupil):
    application = world["application"]
    signed_in(client, world["users"]["teacher"])
    url = reverse("offers:class_applications", args=[world["school_class"].pk])
    page = text(client.get(url))
    assert world["users"]["pupil"].get_full_name() in page
    assert world["offer"].title in page
    assert "Awa Traoré" in page  # among the pupils without an application
    response = client.post(
        reverse("offers:application_note", args=[application.pk]), {"teacher_note": "Appeler la famille", "next": url}
    )
    assert response["Location"] == url
    application.refresh_from_db()
    assert application.teacher_note == "Appeler la famille"
    assert "Appeler la famille" in text(client.get(url))


def test_the_note_never_redirects_elsewhere(client, world):
    application = world["application"]
    response = signed_in(client, world["users"]["teacher"]).post(
        reverse("offers:application_note", args=[application.pk]),
        {"teacher_note": "ok", "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == reverse("offers:application_detail", args=[application.pk])


def test_a_teacher_of_another_class_sees_nothing(client, world):
    other_teacher = factories.SchoolStaffFactory(school=world["school"]).user
    factories.SchoolClassFactory(school=world["school"], teachers=[other_teacher])
    signed_in(client, other_teacher)
    assert client.get(reverse("offers:application_detail", args=[world["application"].pk])).status_code == 403
    assert client.get(reverse("offers:class_applications", args=[world["school_class"].pk])).status_code == 403
    assert (
        client.post(reverse("offers:application_note", args=[world["application"].pk]), {"teacher_note": "x"})
    ).status_code == 403


def test_the_offer_page_action_for_pupils():
    from django.template.loader import render_to_string

    offer = factories.OfferFactory()
    pupil = factories.EnrolmentFactory().pupil
    assert reverse("offers:apply", args=[offer.pk]) in render_to_string(
        "offers/includes/offer_actions.html", {"offer": offer, "user": pupil}
    )
    application = services.application_submit(
        pupil=pupil, offer=offer, motivation=MOTIVATION, weeks=list(offer.weeks.all()), now=timezone.now()
    )
    html = render_to_string("offers/includes/offer_actions.html", {"offer": offer, "user": pupil})
    assert reverse("offers:application_detail", args=[application.pk]) in html
    assert reverse("offers:apply", args=[offer.pk]) not in html
    adult = factories.UserFactory()
    assert "Candidater" not in render_to_string("offers/includes/offer_actions.html", {"offer": offer, "user": adult})


@pytest.mark.parametrize(
    ("url_name", "role", "args"),
    [
        ("offers:class_applications", "teacher", lambda w: [w["school_class"].pk]),
        ("offers:class_applications_csv", "teacher", lambda w: [w["school_class"].pk]),
        ("offers:offer_applications", "employer", lambda w: [w["offer"].pk]),
        ("offers:my_applications", "pupil", lambda w: []),
    ],
)
def test_lists_cost_the_same_queries_whatever_their_length(client, world, url_name, role, args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, world["users"][role])
    url = reverse(url_name, args=args(world))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def more() -> None:
        for _ in range(3):
            offer = factories.OfferFactory(organisation=world["organisation"])
            factories.ApplicationFactory(offer=offer, pupil=world["users"]["pupil"])
            factories.ApplicationFactory(
                offer=world["offer"],
                pupil=factories.EnrolmentFactory(school_class=world["school_class"]).pupil,
                status=ApplicationStatus.ACCEPTED,
                week=world["offer"].weeks.first(),
                answered_at=timezone.now(),
            )

    queries()  # warm the caches (sessions, content types)
    before = queries()
    more()
    assert queries() == before
