"""The pages: "Vos avis" (pending, answered, empty), the questionnaire (its fields for pupils and for adults, errors,
thanks, 404 for whoever may not answer), the links on the session, tutoring and internship pages, query counts."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from backend.follow_up.models import FeedbackAnswer
from scheduling.enums import SessionStatus
from scheduling.models import DiscoverySession
from tests import factories
from tests.follow_up.support import DAY, Cast

pytestmark = pytest.mark.django_db

LIST = reverse("follow_up:questionnaires")


@pytest.fixture
def cast():
    return Cast()  # the real clock: the pages read it


def url(kind, target):
    return reverse("follow_up:answer", args=[kind, target.pk])


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_the_list_shows_what_is_pending_and_what_was_answered(client, cast):
    session = cast.session(title="Les métiers du soin")
    booking = cast.tutoring()
    client.force_login(cast.pupil)
    page = text(client.get(LIST))
    assert "<h1>Tes avis</h1>" in page
    assert "Les métiers du soin" in page
    assert "Tutorat avec Claire Martin" in page
    assert f'href="{url("sequence", session)}"' in page
    assert f'href="{url("tutorat", booking)}"' in page
    assert "Déjà donnés" not in page

    response = client.post(url("sequence", session), {"satisfaction": "4", "helped_choose": "a_little"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    page = text(client.get(LIST))
    assert "Merci pour ton avis !" in page
    assert f'href="{url("sequence", session)}"' not in page
    assert "Déjà donnés" in page
    assert "Plutôt satisfait(e) (4 sur 5)" in page
    assert "Un peu" in page


def test_the_list_is_empty_for_people_with_nothing_to_answer(client, cast):
    cast.session(ended_ago=-DAY)  # not over yet
    client.force_login(cast.pupil)
    assert "Tu n'as aucun avis à donner pour le moment." in text(client.get(LIST))
    client.force_login(cast.teacher)
    page = text(client.get(LIST))
    assert "<h1>Vos avis</h1>" in page
    assert "Vous n'avez aucun avis à donner pour le moment." in page


def test_the_pupil_s_questionnaire(client, cast):
    session = cast.session()
    client.force_login(cast.pupil)
    page = text(client.get(url("sequence", session)))
    assert "<title>Ton avis : Les métiers du soin — Passerelle</title>" in page
    assert re.search(r"<legend[^>]*>\s*Es-tu satisfait\(e\) de cette séquence de découverte \?", page)
    for label in (
        "Pas du tout satisfait(e)",
        "Plutôt pas satisfait(e)",
        "Moyennement satisfait(e)",
        "Plutôt satisfait(e)",
        "Très satisfait(e)",
    ):
        assert re.search(rf'<label class="fr-label" for="id_satisfaction_\d">\s*{re.escape(label)}', page), label
    assert "Cela t'a-t-il aidé(e) à choisir ?" in page
    assert 'name="comment"' not in page


def test_the_adult_s_questionnaire_has_a_comment_and_no_orientation_question(client, cast):
    session = cast.session()
    client.force_login(cast.professional)
    page = text(client.get(url("sequence", session)))
    assert "Êtes-vous satisfait(e) de cette séquence de découverte ?" in page
    assert 'name="comment"' in page
    assert 'maxlength="1000"' in page
    assert 'name="helped_choose"' not in page

    response = client.post(url("sequence", session), {"satisfaction": "5", "comment": "Des questions très justes."})
    assert response.status_code == 302
    answer = FeedbackAnswer.objects.get()
    assert (answer.respondent, answer.satisfaction, answer.comment) == (
        cast.professional,
        5,
        "Des questions très justes.",
    )
    assert "Merci pour votre avis !" in text(client.get(LIST))


def test_errors_are_shown_and_nothing_is_written(client, cast):
    booking = cast.tutoring()
    client.force_login(cast.pupil)
    response = client.post(url("tutorat", booking), {"helped_choose": "yes"})
    assert response.status_code == 200
    page = text(response)
    assert "<title>Erreur : Ton avis : Tutorat avec Claire Martin — Passerelle</title>" in page
    assert "Le questionnaire contient des erreurs" in page
    assert '<a href="#id_satisfaction_0">' in page
    assert "Choisis une réponse." in page
    assert "fr-fieldset--error" in page
    assert not FeedbackAnswer.objects.exists()

    response = client.post(url("tutorat", booking), {"satisfaction": "9", "helped_choose": "yes"})
    assert response.status_code == 200
    assert not FeedbackAnswer.objects.exists()

    client.force_login(cast.tutor)
    response = client.post(url("tutorat", booking), {"satisfaction": "3", "comment": "x" * 1001})
    assert response.status_code == 200
    assert "1000 caractères" in text(response)
    assert not FeedbackAnswer.objects.exists()


def test_whoever_may_not_answer_gets_a_404(client, cast):
    session = cast.session()
    upcoming = cast.session(ended_ago=-DAY)
    closed = cast.session(ended_ago=61 * DAY)
    cancelled = cast.session()
    DiscoverySession.objects.filter(pk=cancelled.pk).update(status=SessionStatus.CANCELLED)
    stranger = factories.EnrolmentFactory().pupil

    client.force_login(stranger)
    assert client.get(url("sequence", session)).status_code == 404
    assert client.post(url("sequence", session), {"satisfaction": "5", "helped_choose": "yes"}).status_code == 404
    client.force_login(cast.professional)
    for target in (upcoming, closed, cancelled):
        assert client.get(url("sequence", target)).status_code == 404
    assert client.get(reverse("follow_up:answer", args=["webinaire", session.pk])).status_code == 404
    assert client.get(reverse("follow_up:answer", args=["stage", session.pk])).status_code == 404  # not an application
    assert client.get(reverse("follow_up:answer", args=["sequence", 999999])).status_code == 404
    assert not FeedbackAnswer.objects.exists()


def test_an_answered_questionnaire_sends_back_to_the_list(client, cast):
    application = cast.internship()
    client.force_login(cast.employer)
    assert client.post(url("stage", application), {"satisfaction": "4"}).status_code == 302
    response = client.get(url("stage", application), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Vous avez déjà donné votre avis. Merci !" in text(response)
    assert client.post(url("stage", application), {"satisfaction": "1"}).status_code == 302
    assert list(FeedbackAnswer.objects.values_list("satisfaction", flat=True)) == [4]


def test_the_event_pages_link_to_their_questionnaire_while_it_is_open(client, cast):
    session, upcoming = cast.session(), cast.session(ended_ago=-DAY)
    booking = cast.tutoring()
    application = cast.internship()
    pages = {
        reverse("scheduling:session_detail", args=[session.pk]): url("sequence", session),
        reverse("scheduling:booking_detail", args=[booking.pk]): url("tutorat", booking),
        reverse("offers:application_detail", args=[application.pk]): url("stage", application),
    }
    client.force_login(cast.pupil)
    for page_url, link in pages.items():
        page = text(client.get(page_url))
        assert "Donne ton avis" in page, page_url
        assert f'href="{link}"' in page, page_url
    assert "feedback-link" not in text(client.get(reverse("scheduling:session_detail", args=[upcoming.pk])))
    # The teacher follows the session and the tutoring but answers neither.
    client.force_login(cast.teacher)
    assert "feedback-link" not in text(client.get(reverse("scheduling:session_detail", args=[session.pk])))
    assert "feedback-link" not in text(client.get(reverse("scheduling:booking_detail", args=[booking.pk])))
    # Once answered, the link goes.
    client.force_login(cast.professional)
    assert "Donnez votre avis" in text(client.get(reverse("scheduling:session_detail", args=[session.pk])))
    client.post(url("sequence", session), {"satisfaction": "5"})
    assert "feedback-link" not in text(client.get(reverse("scheduling:session_detail", args=[session.pk])))


def _list_queries(client, django_assert_max_num_queries, expected):
    with django_assert_max_num_queries(expected) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_list_costs_the_same_queries_for_one_event_or_many(client, cast, django_assert_max_num_queries):
    cast.session()
    cast.tutoring()
    cast.internship()
    answered = cast.session(ended_ago=3 * DAY)
    client.force_login(cast.pupil)
    client.post(url("sequence", answered), {"satisfaction": "3", "helped_choose": "no"})
    one = _list_queries(client, django_assert_max_num_queries, 15)
    for days in (4, 5, 6):
        cast.session(ended_ago=days * DAY)
        cast.tutoring(ended_ago=days * DAY + datetime.timedelta(hours=2))
        later = cast.session(ended_ago=days * DAY + datetime.timedelta(hours=4))
        client.post(url("sequence", later), {"satisfaction": "5", "helped_choose": "yes"})
    page = text(client.get(LIST))
    assert page.count("Donner mon avis<span") == 9
    assert _list_queries(client, django_assert_max_num_queries, 15) == one


def test_the_pending_count_tag_for_a_home_page(rf, cast):
    from django.template import Context, Template

    cast.session()
    cast.tutoring()
    template = Template("{% load feedback %}{% feedback_pending_count as count %}{{ count }}")
    request = rf.get("/")
    request.user = cast.pupil
    assert template.render(Context({"request": request})) == "2"
    request.user = cast.teacher
    assert template.render(Context({"request": request})) == "0"


def test_platform_staff_read_answers_in_the_admin(client, cast):
    session = cast.session()
    client.force_login(cast.professional)
    client.post(url("sequence", session), {"satisfaction": "5", "comment": "Très bien."})
    client.force_login(factories.UserFactory(staff=True, is_superuser=True))
    answer = FeedbackAnswer.objects.get()
    assert client.get(reverse("admin:follow_up_feedbackanswer_changelist")).status_code == 200
    page = client.get(reverse("admin:follow_up_feedbackanswer_change", args=[answer.pk]))
    assert page.status_code == 200
    assert "Très bien." in text(page)
    assert client.get(reverse("admin:follow_up_feedbackanswer_add")).status_code == 403
    assert client.get(reverse("admin:follow_up_feedbackinvitation_changelist")).status_code == 200
