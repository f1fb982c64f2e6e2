"""The playlist pages: a teacher's lists, a list's page and its POST endpoints, who watched what in a class, and
the pupil's "Vidéos à voir"; permissions (404 for what one may not see), bad input, query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from media.enums import VideoState
from media.models import Playlist, PlaylistAssignment, PlaylistItem
from tests import factories
from tests.media.factories import (
    PlaylistAssignmentFactory,
    PlaylistFactory,
    VideoFactory,
    WatchProgressFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return factories.SchoolFactory()


@pytest.fixture
def teacher(school):
    return factories.SchoolStaffFactory(school=school, user__first_name="Aïcha", user__last_name="Benali").user


@pytest.fixture
def school_class(school, teacher):
    return factories.SchoolClassFactory(school=school, teachers=[teacher], name="3e B")


@pytest.fixture
def pupil(school_class):
    return factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Inès", pupil__last_name="Bouzid"
    ).pupil


@pytest.fixture
def videos():
    return [
        VideoFactory(published=True, title="Une journée de plombière", duration=200.0),
        VideoFactory(published=True, title="Dans la cuisine d'un grand restaurant", duration=45.0),
    ]


@pytest.fixture
def playlist(teacher, videos):
    return PlaylistFactory(owner=teacher, title="Métiers du bâtiment", videos=videos)


@pytest.fixture
def assignment(playlist, school_class):
    return PlaylistAssignmentFactory(
        playlist=playlist, school_class=school_class, due_date=timezone.localdate() + datetime.timedelta(days=3)
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def order(playlist) -> list[str]:
    return list(playlist.items.order_by("position").values_list("video__title", flat=True))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- The teacher's lists -----------------------------------------------------------------------------------------


def test_the_list_page_shows_her_lists_their_videos_and_classes(client, teacher, assignment, school):
    PlaylistFactory(title="La liste d'un collègue", owner=factories.SchoolStaffFactory(school=school).user)
    response = signed_in(client, teacher).get(reverse("videos:playlists"))
    assert response.status_code == 200
    page = text(response)
    assert "Métiers du bâtiment" in page
    assert "2 vidéos" in page
    assert "3e B — à voir avant le" in page
    assert "La liste d'un collègue" not in page
    assert reverse("videos:playlist_progress", args=[assignment.playlist_id, assignment.school_class_id]) in (
        response.content.decode()
    )


def test_creating_a_list_leads_to_its_page(client, teacher):
    response = signed_in(client, teacher).post(
        reverse("videos:playlists"), {"title": "Le soin", "description": "Notez un métier qui vous plaît."}
    )
    playlist = Playlist.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("videos:playlist_detail", args=[playlist.pk])
    assert (playlist.owner, playlist.title, playlist.description) == (
        teacher,
        "Le soin",
        "Notez un métier qui vous plaît.",
    )


def test_a_list_without_title_is_refused_on_the_page(client, teacher):
    response = signed_in(client, teacher).post(reverse("videos:playlists"), {"title": "   ", "description": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text(response)
    assert "La liste n'est pas créée" in text(response)
    assert not Playlist.objects.exists()


@pytest.mark.parametrize("who", ["pupil", "adult", "staff"])
def test_only_school_staff_reach_the_lists(client, pupil, who):
    user = {"pupil": pupil, "adult": factories.UserFactory(), "staff": factories.UserFactory(staff=True)}[who]
    assert signed_in(client, user).get(reverse("videos:playlists")).status_code == 403
    assert client.post(reverse("videos:playlists"), {"title": "X"}).status_code == 403
    assert not Playlist.objects.exists()


def test_the_list_page_queries_do_not_grow_with_lists(client, teacher, school_class):
    signed_in(client, teacher)
    PlaylistAssignmentFactory(playlist=PlaylistFactory(owner=teacher, videos=[VideoFactory(published=True)]))
    few = count_queries(client, reverse("videos:playlists"))
    for _ in range(4):
        playlist = PlaylistFactory(owner=teacher, videos=[VideoFactory(published=True)])
        PlaylistAssignmentFactory(playlist=playlist, school_class=school_class)
    assert count_queries(client, reverse("videos:playlists")) == few


# --- A list's page ------------------------------------------------------------------------------------------------


def test_the_owner_sees_her_videos_in_order_with_named_buttons(client, teacher, playlist):
    response = signed_in(client, teacher).get(reverse("videos:playlist_detail", args=[playlist.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    first, second = html.index("Une journée de plombière"), html.index("Dans la cuisine d&#x27;un grand restaurant")
    assert first < second
    # Each button names its video for screen readers; the first cannot go up, the last cannot go down.
    assert 'Descendre<span class="fr-sr-only"> « Une journée de plombière »' in html
    assert 'Monter<span class="fr-sr-only"> « Une journée de plombière »' not in html
    assert 'Monter<span class="fr-sr-only"> « Dans la cuisine d&#x27;un grand restaurant »' in html
    assert 'Retirer<span class="fr-sr-only"> « Une journée de plombière » de la liste' in html
    assert "3 min 20 s" in text(response)


@pytest.mark.parametrize("who", ["colleague", "head", "pupil"])
def test_another_persons_list_is_a_404(client, school, playlist, pupil, who):
    user = {
        "colleague": factories.SchoolStaffFactory(school=school).user,
        "head": factories.SchoolStaffFactory(school=school, head=True).user,
        "pupil": pupil,
    }[who]
    signed_in(client, user)
    for name in ("videos:playlist_detail", "videos:playlist_delete"):
        assert client.get(reverse(name, args=[playlist.pk])).status_code == 404
    for name in ("videos:playlist_items", "videos:playlist_assign"):
        response = client.post(
            reverse(name, args=[playlist.pk]), {"action": "remove", "video": playlist.items.first().video_id}
        )
        assert response.status_code == 404
    assert client.post(reverse("videos:playlist_delete", args=[playlist.pk])).status_code == 404
    assert PlaylistItem.objects.filter(playlist=playlist).count() == 2
    assert Playlist.objects.filter(pk=playlist.pk).exists()


def test_a_list_that_does_not_exist_is_a_404(client, teacher):
    assert signed_in(client, teacher).get(reverse("videos:playlist_detail", args=[999999])).status_code == 404


def test_the_owner_edits_title_and_instructions(client, teacher, playlist):
    url = reverse("videos:playlist_detail", args=[playlist.pk])
    response = signed_in(client, teacher).post(url, {"title": "Bâtiment", "description": "Regardez avant jeudi."})
    assert response.status_code == 302
    playlist.refresh_from_db()
    assert (playlist.title, playlist.description) == ("Bâtiment", "Regardez avant jeudi.")
    response = client.post(url, {"title": "", "description": ""})
    assert response.status_code == 200
    assert "Le titre et la consigne ne sont pas enregistrés" in text(response)
    playlist.refresh_from_db()
    assert playlist.title == "Bâtiment"


def test_the_search_lists_published_videos_only_and_marks_those_already_in(client, teacher, playlist):
    VideoFactory(published=True, title="Plombier chauffagiste")
    VideoFactory(title="Plomberie : le brouillon")
    VideoFactory(state=VideoState.WITHDRAWN, title="Plomberie retirée", published_at=timezone.now())
    url = reverse("videos:playlist_detail", args=[playlist.pk])
    response = signed_in(client, teacher).get(url, {"q": "plomb"})
    page = text(response)
    assert "2 vidéos trouvées" in page
    assert "Plombier chauffagiste" in page
    assert "brouillon" not in page
    assert "retirée" not in page
    assert "Déjà dans la liste" in page
    assert 'Ajouter<span class="fr-sr-only"> « Plombier chauffagiste » à la liste' in response.content.decode()


def test_a_bad_sector_gives_a_message_not_a_500(client, teacher, playlist):
    response = signed_in(client, teacher).get(reverse("videos:playlist_detail", args=[playlist.pk]), {"secteur": "Z"})
    assert response.status_code == 200
    assert "La recherche n'a pas pu être faite" in text(response)


# --- Adding, removing and moving -----------------------------------------------------------------------------------


def test_adding_a_video_keeps_the_search(client, teacher, playlist):
    video = VideoFactory(published=True, title="Maçonne")
    response = signed_in(client, teacher).post(
        reverse("videos:playlist_items", args=[playlist.pk]), {"action": "add", "video": video.pk, "q": "maç"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("videos:playlist_detail", args=[playlist.pk]) + "?q=ma%C3%A7#ajouter"
    assert order(playlist)[-1] == "Maçonne"


@pytest.mark.parametrize("video_value", ["draft", "duplicate", "missing", "not-a-number", ""])
def test_refused_additions_say_why_and_write_nothing(client, teacher, playlist, video_value):
    values = {
        "draft": lambda: VideoFactory().pk,
        "duplicate": lambda: playlist.items.first().video_id,
        "missing": lambda: 999999,
        "not-a-number": lambda: "abc",
        "": lambda: "",
    }
    response = signed_in(client, teacher).post(
        reverse("videos:playlist_items", args=[playlist.pk]),
        {"action": "add", "video": values[video_value]()},
        follow=True,
    )
    assert response.status_code == 200
    assert len(messages_of(response)) == 1
    assert PlaylistItem.objects.filter(playlist=playlist).count() == 2


def test_moving_and_removing_from_the_page(client, teacher, playlist, videos):
    url = reverse("videos:playlist_items", args=[playlist.pk])
    signed_in(client, teacher)
    response = client.post(url, {"action": "up", "video": videos[1].pk})
    assert response["Location"].endswith(f"#video-{videos[1].pk}")
    assert messages_of(client.get(response["Location"])) == ["« Dans la cuisine d'un grand restaurant » est déplacée."]
    assert order(playlist) == ["Dans la cuisine d'un grand restaurant", "Une journée de plombière"]
    response = client.post(url, {"action": "up", "video": videos[1].pk}, follow=True)
    assert messages_of(response) == ["Cette vidéo est déjà la première de la liste."]
    response = client.post(url, {"action": "remove", "video": videos[1].pk}, follow=True)
    assert messages_of(response) == ["« Dans la cuisine d'un grand restaurant » est retirée de la liste."]
    assert order(playlist) == ["Une journée de plombière"]
    assert list(playlist.items.values_list("position", flat=True)) == [0]
    response = client.post(url, {"action": "explode", "video": videos[0].pk}, follow=True)
    assert messages_of(response) == ["Action inconnue."]


# --- Giving the list to a class -------------------------------------------------------------------------------------


def test_giving_the_list_to_her_class_with_a_date(client, teacher, playlist, school_class):
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = signed_in(client, teacher).post(
        reverse("videos:playlist_assign", args=[playlist.pk]),
        {"action": "assign", "school_class": school_class.pk, "due_date": due.isoformat()},
        follow=True,
    )
    assert messages_of(response) == ["La liste est donnée à la classe 3e B."]
    assignment = PlaylistAssignment.objects.get()
    assert (assignment.school_class, assignment.due_date, assignment.assigned_by) == (school_class, due, teacher)
    # The page now shows the class with a link to who watched what, and a way to take the list back.
    page = text(response)
    assert "Qui a vu quoi" in page
    assert "Retirer la liste de la classe 3e B" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_date": "yesterday"}, "La date « à voir avant le » ne peut pas être dans le passé."),
        ({"due_date": "31/02/2027"}, "À voir avant le : Saisissez une date valide."),
        ({"school_class": "other"}, "Classe : Choisissez une de vos classes."),
        ({"school_class": ""}, "Classe : Ce champ est obligatoire."),
    ],
)
def test_bad_assignments_say_why_and_write_nothing(client, teacher, playlist, school_class, school, data, message):
    values = {"action": "assign", "school_class": school_class.pk, **data}
    if values.get("due_date") == "yesterday":
        values["due_date"] = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    if values["school_class"] == "other":
        values["school_class"] = factories.SchoolClassFactory(school=school).pk
    response = signed_in(client, teacher).post(
        reverse("videos:playlist_assign", args=[playlist.pk]), values, follow=True
    )
    assert response.status_code == 200
    assert messages_of(response) == [message]
    assert not PlaylistAssignment.objects.exists()


def test_taking_the_list_back(client, teacher, playlist, assignment):
    url = reverse("videos:playlist_assign", args=[playlist.pk])
    response = signed_in(client, teacher).post(
        url, {"action": "unassign", "school_class": assignment.school_class_id}, follow=True
    )
    assert messages_of(response) == ["La classe 3e B ne voit plus cette liste."]
    assert not PlaylistAssignment.objects.exists()
    response = client.post(url, {"action": "unassign", "school_class": "x"}, follow=True)
    assert messages_of(response) == ["Cette liste n'est pas donnée à cette classe."]


def test_deleting_asks_first(client, teacher, playlist, assignment):
    url = reverse("videos:playlist_delete", args=[playlist.pk])
    response = signed_in(client, teacher).get(url)
    assert response.status_code == 200
    assert "Ces classes ne la verront plus : 3e B." in text(response)
    assert Playlist.objects.exists()
    response = client.post(url)
    assert response["Location"] == reverse("videos:playlists")
    assert not Playlist.objects.exists()


# --- Who watched what -----------------------------------------------------------------------------------------------


def test_the_owner_sees_who_watched_what(client, teacher, assignment, pupil, videos, school_class):
    factories.EnrolmentFactory(school_class=school_class, pupil__first_name="Adam", pupil__last_name="Zerrouki")
    WatchProgressFactory(video=videos[0], user=pupil, watched=True)
    WatchProgressFactory(video=videos[1], user=pupil, played_seconds=18.0)
    url = reverse("videos:playlist_progress", args=[assignment.playlist_id, school_class.pk])
    response = signed_in(client, teacher).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    page = text(response)
    assert '<caption id="progress-caption">Qui a vu quoi en 3e B' in html
    assert '<th scope="col">Une journée de plombière</th>' in html
    assert '<th scope="row">Inès B.</th>' in html
    assert '<th scope="row">Adam Z.</th>' in html
    assert "Bouzid" not in page
    assert "Zerrouki" not in page
    assert page.index("Inès B.") < page.index("Adam Z.")  # by last name: Bouzid, then Zerrouki
    assert "Inès B. Vue Commencée (40 %)" in page
    assert "Adam Z. Pas commencée Pas commencée" in page
    assert "Ont vu la vidéo 1 élève sur 2 0 élèves sur 2" in page


def test_a_colleague_teaching_the_class_and_the_head_see_it_too(client, school, assignment, school_class):
    colleague = factories.SchoolStaffFactory(school=school).user
    school_class.teachers.add(colleague)
    head = factories.SchoolStaffFactory(school=school, head=True).user
    url = reverse("videos:playlist_progress", args=[assignment.playlist_id, school_class.pk])
    for user in (colleague, head):
        response = signed_in(client, user).get(url)
        assert response.status_code == 200
        assert reverse("schools:class_detail", args=[school_class.pk]) in response.content.decode()


def test_progress_is_a_404_for_others_and_for_a_class_without_the_list(client, school, teacher, assignment, pupil):
    url = reverse("videos:playlist_progress", args=[assignment.playlist_id, assignment.school_class_id])
    for user in (factories.SchoolStaffFactory(school=school).user, pupil, factories.UserFactory()):
        assert signed_in(client, user).get(url).status_code == 404
    other_class = factories.SchoolClassFactory(school=school, teachers=[teacher])
    url = reverse("videos:playlist_progress", args=[assignment.playlist_id, other_class.pk])
    assert signed_in(client, teacher).get(url).status_code == 404


def test_the_progress_page_queries_do_not_grow_with_pupils_or_videos(
    client, teacher, assignment, school_class, videos
):
    url = reverse("videos:playlist_progress", args=[assignment.playlist_id, school_class.pk])
    signed_in(client, teacher)
    factories.EnrolmentFactory(school_class=school_class)
    few = count_queries(client, url)
    for position in range(2, 6):
        video = VideoFactory(published=True)
        PlaylistItem.objects.create(playlist=assignment.playlist, video=video, position=position)
        pupil = factories.EnrolmentFactory(school_class=school_class).pupil
        WatchProgressFactory(video=video, user=pupil, watched=True)
        WatchProgressFactory(video=videos[0], user=pupil, played_seconds=10)
    assert count_queries(client, url) == few


# --- The pupil's page ------------------------------------------------------------------------------------------------


def test_a_pupil_sees_her_classs_lists_and_what_she_watched(client, pupil, assignment, videos):
    PlaylistAssignmentFactory(playlist=PlaylistFactory(title="Liste d'une autre classe", videos=[videos[0]]))
    WatchProgressFactory(video=videos[1], user=pupil, watched=True)
    response = signed_in(client, pupil).get(reverse("videos:assigned"))
    assert response.status_code == 200
    page = text(response)
    assert "Métiers du bâtiment" in page
    assert "Donnée par Aïcha Benali" in page
    assert "À voir avant le" in page
    assert "Regardez les vidéos et notez une question pour la séance." in page
    assert "1 vidéo vue sur 2" in page
    assert "Liste d'une autre classe" not in page
    html = response.content.decode()
    assert reverse("videos:detail", args=[videos[0].pk]) in html
    # The first video is still to watch, the second is watched: status as text, in the list's order.
    first_card, second_card = page.split("Une journée de plombière")[1].split("Dans la cuisine")
    assert "À voir" in first_card
    assert "Vue" not in first_card
    assert "Vue" in second_card
    assert "3 min 20 s" in page
    assert "45 s" in page


def test_the_watched_status_follows_watched_at(client, pupil, assignment, videos):
    WatchProgressFactory(video=videos[0], user=pupil, played_seconds=199.0)  # not marked watched
    response = signed_in(client, pupil).get(reverse("videos:assigned"))
    assert "0 vidéos vues sur 2" in text(response)


def test_a_pupil_who_left_the_class_no_longer_sees_its_lists(client, pupil, assignment):
    pupil.enrolments.update(left_at=timezone.now())
    response = signed_in(client, pupil).get(reverse("videos:assigned"))
    page = text(response)
    assert "Métiers du bâtiment" not in page
    assert "Tu n'es dans aucune classe" in page
    new_class = factories.SchoolClassFactory(name="3e C")
    factories.EnrolmentFactory(pupil=pupil, school_class=new_class)
    page = text(client.get(reverse("videos:assigned")))
    assert "Métiers du bâtiment" not in page
    assert "n'ont encore donné aucune vidéo à voir à la classe 3e C" in page


@pytest.mark.parametrize("who", ["teacher", "adult"])
def test_the_pupils_page_is_for_pupils(client, teacher, who):
    user = teacher if who == "teacher" else factories.UserFactory()
    assert signed_in(client, user).get(reverse("videos:assigned")).status_code == 403


def test_the_pupils_page_queries_do_not_grow_with_lists_or_videos(client, pupil, assignment, school_class):
    signed_in(client, pupil)
    few = count_queries(client, reverse("videos:assigned"))
    for _ in range(3):
        playlist = PlaylistFactory(videos=[VideoFactory(published=True), VideoFactory(published=True)])
        PlaylistAssignmentFactory(playlist=playlist, school_class=school_class)
    assert count_queries(client, reverse("videos:assigned")) == few


# --- Links in -----------------------------------------------------------------------------------------------------


def test_the_class_page_lists_the_lists_given_to_the_class(client, teacher, assignment, school_class):
    response = signed_in(client, teacher).get(reverse("schools:class_detail", args=[school_class.pk]))
    html = response.content.decode()
    assert "Métiers du bâtiment" in html
    assert reverse("videos:playlist_progress", args=[assignment.playlist_id, school_class.pk]) in html


def test_the_homes_link_to_the_pages(client, teacher, pupil):
    assert reverse("videos:playlists") in signed_in(client, teacher).get(reverse("ui:home_teacher")).content.decode()
    assert reverse("videos:assigned") in signed_in(client, pupil).get(reverse("ui:home_pupil")).content.decode()
