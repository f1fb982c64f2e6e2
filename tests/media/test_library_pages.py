"""The library's pages: browse and search (`videos:library`) and the video page with its player (`videos:detail`)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from media.enums import ImageFormat, VideoLevel, VideoState
from media.models import Thumbnail
from media.views.library import PAGE_SIZE, format_duration
from tests import factories
from tests.media.factories import CaptionFactory, VideoFactory, VideoFileFactory, WatchProgressFactory
from tests.scheduling.factories import DiscoverySessionFactory

pytestmark = pytest.mark.django_db

LIBRARY = "/videos/"
WEBVTT_EN = "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nHello, I am an electrician.\n"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags(html: str, name: str) -> list[dict]:
    """The attributes of every <name> element of the page (a valueless attribute maps to None)."""
    parser = _Tags()
    parser.feed(html)
    return [attrs for tag, attrs in parser.found if tag == name]


def results(html: str) -> str:
    match = re.search(r'<section aria-labelledby="results-title">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="fr-card__title"><a href="/videos/\d+/">([^<]+)</a></h3>', results(html))


@pytest.fixture
def pupil():
    return factories.EnrolmentFactory().pupil


@pytest.fixture
def pupil_client(client, pupil):
    client.force_login(pupil)
    return client


def published(**kwargs):
    kwargs.setdefault("duration", 200.0)
    return VideoFactory(published=True, **kwargs)


# --- Duration -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, ""), (0.4, "0 s"), (45, "45 s"), (60, "1 min"), (200.2, "3 min 20 s"), (3900, "1 h 5 min")],
)
def test_durations_read_as_minutes_and_seconds(seconds, text):
    assert format_duration(seconds) == text


# --- The library page ---------------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("videos:library"))
    assert response.status_code == 302
    assert "/connexion" in response["Location"] or "login" in response["Location"]


def test_the_navigation_has_a_videos_entry(pupil_client):
    response = pupil_client.get(reverse("ui:home_pupil"))
    assert f'href="{LIBRARY}"' in response.content.decode()


def test_only_published_videos_are_listed(pupil_client):
    shown = published(title="Publiée")
    VideoFactory(title="Brouillon", processed=True)
    VideoFactory(title="En validation", in_review=True)
    VideoFactory(title="Retirée", published=True, state=VideoState.WITHDRAWN)
    response = pupil_client.get(LIBRARY)
    assert response.status_code == 200
    assert titles(response.content.decode()) == [shown.title]
    assert "1 vidéo" in results(response.content.decode())


def test_the_newest_come_first_with_the_count(pupil_client):
    old = published(title="Ancienne", published_at=timezone.now() - datetime.timedelta(days=3))
    new = published(title="Récente")
    html = pupil_client.get(LIBRARY).content.decode()
    assert titles(html) == [new.title, old.title]
    assert '<h2 id="results-title">2 vidéos</h2>' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "F"}, {"bâtiment"}),
        ({"sector": "J"}, {"soin"}),
        ({"domain": "J14"}, {"soin"}),
        ({"sector": "J", "domain": "J14"}, {"soin"}),
        ({"level": "college"}, {"bâtiment", "cuisine"}),  # "both levels" videos too
        ({"level": "lycee_pro"}, {"soin", "cuisine"}),
        ({"duration": "court"}, {"soin"}),  # at most 2 minutes
        ({"duration": "moyen"}, {"bâtiment"}),  # 2 to 5 minutes
        ({"duration": "long"}, {"cuisine"}),  # more than 5 minutes
        ({"q": "infirmier"}, {"soin"}),  # the job
        ({"q": "CUISINE"}, {"cuisine"}),  # the title, any case
        ({"q": "j1506"}, {"soin"}),  # a ROME code
        ({"q": "infirmier cuisine"}, set()),  # every word must match
        ({"q": "  ", "sector": "", "level": ""}, {"bâtiment", "soin", "cuisine"}),
        ({"sector": "G", "level": "college", "duration": "long", "q": "cuisine"}, {"cuisine"}),
    ],
)
def test_search_filters(pupil_client, params, expected):
    published(
        title="bâtiment",
        sector="F",
        domain="F16",
        job_title="Électricienne",
        rome_code="F1602",
        level=VideoLevel.COLLEGE,
        duration=300.0,
    )
    published(
        title="soin",
        sector="J",
        domain="J14",
        job_title="Infirmier",
        rome_code="J1506",
        level=VideoLevel.LYCEE_PRO,
        duration=120.0,
    )
    published(
        title="cuisine",
        sector="G",
        domain="G16",
        job_title="Cuisinière",
        rome_code="G1602",
        level=VideoLevel.ALL,
        duration=300.5,
    )
    response = pupil_client.get(LIBRARY, params)
    assert response.status_code == 200
    assert set(titles(response.content.decode())) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sector": "Z"}, "Ce secteur n&#x27;existe pas"),
        ({"domain": "Z99"}, "Ce domaine professionnel n&#x27;existe pas"),
        ({"sector": "F", "domain": "J14"}, "Ce domaine professionnel n&#x27;appartient pas au secteur choisi."),
        ({"level": "all"}, "Ce niveau n&#x27;existe pas"),
        ({"level": "université"}, "Ce niveau n&#x27;existe pas"),
        ({"duration": "3"}, "Cette durée n&#x27;existe pas"),
        ({"page": "abc"}, "Le numéro de page est un nombre entier à partir de 1."),
        ({"page": "0"}, "Le numéro de page est un nombre entier à partir de 1."),
        ({"page": "-2"}, "Le numéro de page est un nombre entier à partir de 1."),
        ({"page": "99999999999"}, "Ce numéro de page est trop grand."),
        ({"q": "x" * 101}, "Écrivez au plus 100 caractères."),
        ({"q": "élec\x00tricienne"}, "Le caractère nul n’est pas autorisé."),
    ],
)
def test_bad_criteria_give_a_message_and_no_results(pupil_client, params, message):
    published()
    response = pupil_client.get(LIBRARY, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "La recherche n'a pas pu être faite" in html
    assert message in html
    assert results(html) == ""
    assert "Erreur dans la recherche" in html  # the page's title says so too


def test_the_domains_are_grouped_by_sector(pupil_client):
    html = pupil_client.get(LIBRARY).content.decode()
    assert '<optgroup label="Construction, bâtiment et travaux publics">' in html
    assert '<option value="F16">' in html
    assert "media/library.js" in html


def test_an_empty_result_says_so(pupil_client):
    published(sector="F")
    html = pupil_client.get(LIBRARY, {"sector": "J"}).content.decode()
    assert '<h2 id="results-title">Aucune vidéo</h2>' in html
    assert "Aucune vidéo ne correspond à ces critères." in html


def test_pagination(pupil_client):
    start = timezone.now() - datetime.timedelta(days=1)
    for index in range(PAGE_SIZE + 1):
        published(title=f"Vidéo {index:02d}", published_at=start + datetime.timedelta(minutes=index))
    first = pupil_client.get(LIBRARY, {"sector": "F"}).content.decode()
    assert len(titles(first)) == PAGE_SIZE
    assert titles(first)[0] == f"Vidéo {PAGE_SIZE:02d}"
    assert f"{PAGE_SIZE + 1} vidéos" in first
    assert 'class="fr-pagination fr-mt-4w"' in first
    assert 'aria-current="page" title="Page 1"' in first
    # The links keep the criteria.
    assert 'href="?sector=F&amp;page=2"' in first

    second = pupil_client.get(LIBRARY, {"sector": "F", "page": 2}).content.decode()
    assert titles(second) == ["Vidéo 00"]
    assert 'aria-current="page" title="Page 2"' in second
    assert "page 2 sur 2" in second  # in the <title>

    # Past the last page: the last page.
    assert titles(pupil_client.get(LIBRARY, {"page": 50}).content.decode()) == ["Vidéo 00"]


def test_a_card(pupil_client, pupil):
    video = published(
        title="Une journée de cheffe",
        sector="G",
        domain="G16",
        job_title="Cuisinière",
        duration=200.2,
        level=VideoLevel.COLLEGE,
        audio_description=True,
    )
    CaptionFactory(video=video)
    for width in (320, 640):
        for image_format in ImageFormat.values:
            Thumbnail.objects.create(
                video=video,
                width=width,
                height=width * 9 // 16,
                format=image_format,
                storage_name=f"videos/{video.uuid}/thumb-{width}.{image_format}",
                size=1000,
            )
    html = results(pupil_client.get(LIBRARY).content.decode())
    assert f'<a href="/videos/{video.pk}/">Une journée de cheffe</a>' in html
    assert f"Cuisinière — {video.host_organisation.name}" in html
    assert '<time datetime="PT3M20S">3 min 20 s</time> · Collège' in html
    assert "Hôtellerie-restauration, tourisme, loisirs et animation — " in html
    assert "Sous-titrée" in html
    assert "Audiodescription" in html
    assert ">Vue<" not in html
    sources = {attrs["type"]: attrs["srcset"] for attrs in tags(html, "source")}
    base = f"/media/videos/{video.uuid}"
    assert sources == {
        "image/webp": f"{base}/thumb-320.webp 320w, {base}/thumb-640.webp 640w",
        "image/jpeg": f"{base}/thumb-320.jpeg 320w, {base}/thumb-640.jpeg 640w",
    }
    [image] = tags(html, "img")
    assert image["alt"] == ""
    assert image["src"] == f"/media/videos/{video.uuid}/thumb-320.jpeg"


def test_the_watched_badge_is_the_person_s_own(pupil_client, pupil):
    mine = published(title="Vue par moi")
    started = published(title="Commencée")
    others = published(title="Vue par une autre")
    WatchProgressFactory(video=mine, user=pupil, watched=True)
    WatchProgressFactory(video=started, user=pupil)
    WatchProgressFactory(video=others, watched=True)
    html = results(pupil_client.get(LIBRARY).content.decode())
    cards = dict(re.findall(r'<a href="/videos/\d+/">([^<]+)</a>.*?(fr-card__start.*?</ul>)', html, re.S))
    assert ">Vue<" in cards["Vue par moi"]
    assert ">Vue<" not in cards["Commencée"]
    assert ">Vue<" not in cards["Vue par une autre"]


def test_the_number_of_queries_does_not_grow_with_the_cards(pupil_client, pupil):
    def add(count):
        for _ in range(count):
            video = published(association=factories.AssociationFactory(), host_organisation=None)
            CaptionFactory(video=video)
            Thumbnail.objects.create(
                video=video, width=320, height=180, format=ImageFormat.JPEG, storage_name=f"{video.uuid}.jpg", size=1
            )
            WatchProgressFactory(video=video, user=pupil, watched=True)
        for _ in range(count):
            published()  # by host organisations

    add(1)
    with CaptureQueriesContext(connection) as few:
        assert pupil_client.get(LIBRARY).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as many:
        html = pupil_client.get(LIBRARY).content.decode()
    assert len(titles(html)) == PAGE_SIZE
    assert len(many.captured_queries) == len(few.captured_queries)


def test_links_for_makers_teachers_and_pupils(client, pupil):
    maker = factories.OrganisationMembershipFactory().user
    teacher = factories.SchoolStaffFactory().user
    factories.SchoolClassFactory(school=teacher.school_memberships.get().school, teachers=[teacher])

    def links(user) -> set[str]:
        client.force_login(user)
        html = client.get(LIBRARY).content.decode()
        targets = {reverse("videos:mine"), reverse("videos:playlists"), reverse("videos:assigned")}
        return {attrs["href"] for attrs in tags(html, "a") if attrs.get("href") in targets}

    assert links(maker) == {reverse("videos:mine")}
    assert links(teacher) == {reverse("videos:playlists")}
    assert links(pupil) == {reverse("videos:assigned")}
    assert links(factories.UserFactory()) == set()


# --- The video page -------------------------------------------------------------------------------------------------


@pytest.fixture
def video():
    video = published(
        title="Électricienne, une journée sur le chantier",
        sector="F",
        domain="F16",
        job_title="Électricienne du bâtiment",
        rome_code="F1602",
        duration=200.0,
        transcript="Bonjour, je suis électricienne.\n\nJe travaille sur les chantiers.",
        description="Ce que l'on fait.",
        poster="videos/poster.jpg",
    )
    VideoFileFactory(video=video, content_type="video/mp4", container="mp4", size=2_000_000)
    CaptionFactory(video=video, language="en", label="English", webvtt=WEBVTT_EN)
    CaptionFactory(video=video)
    return video


def page(client, video) -> str:
    response = client.get(reverse("videos:detail", args=[video.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_player(pupil_client, video):
    html = page(pupil_client, video)
    assert "<h1>Électricienne, une journée sur le chantier</h1>" in html
    [player] = tags(html, "video")
    assert "controls" in player
    assert player["preload"] == "metadata"
    assert player["poster"] == "/media/videos/poster.jpg"
    assert "autoplay" not in player
    assert "autoplay" not in html
    [source] = tags(html, "source")
    assert source == {"src": f"/videos/{video.pk}/fichier", "type": "video/mp4"}
    tracks = tags(html, "track")
    assert tracks == [
        {"kind": "captions", "src": f"/videos/{video.pk}/sous-titres/fr.vtt", "srclang": "fr", "label": "Français",
         "default": None},
        {"kind": "captions", "src": f"/videos/{video.pk}/sous-titres/en.vtt", "srclang": "en", "label": "English"},
    ]  # fmt: skip
    # A way out for a browser that cannot play it, and the captions button (shown by the script).
    assert "Votre navigateur ne lit pas cette vidéo." in html
    assert f'href="/videos/{video.pk}/fichier" download' in html
    assert "Télécharger la vidéo (MP4, 1,9\xa0Mio)" in html
    [button] = [attrs for attrs in tags(html, "button") if attrs.get("id") == "captions-toggle"]
    assert button["aria-pressed"] == "true"
    assert "media/player.js" in html
    [root] = [attrs for attrs in tags(html, "div") if attrs.get("id") == "player"]
    assert root["data-progress-url"] == f"/videos/{video.pk}/progression"
    assert root["data-csrf-token"]
    assert root["data-watched"] == "false"


def test_the_transcript_and_the_facts(pupil_client, video):
    html = page(pupil_client, video)
    assert '<h2 class="fr-h4">Transcription</h2>' in html
    assert "<p>Bonjour, je suis électricienne.</p>\n\n<p>Je travaille sur les chantiers.</p>" in html
    assert html.index("Transcription") > html.index("<video")
    assert f"<dd>{video.association or video.host_organisation}</dd>" in html
    assert "Électricienne du bâtiment (code ROME F1602)" in html
    assert "Construction, bâtiment et travaux publics — " in html
    assert '<time datetime="PT3M20S">3 min 20 s</time>' in html
    assert "<dt>Audiodescription</dt><dd>Non</dd>" in html


def test_the_view_count(pupil_client, pupil, video):
    assert "Personne ne l'a encore regardée." in page(pupil_client, video)
    WatchProgressFactory.create_batch(2, video=video)
    assert "Vue par 2 personnes" in page(pupil_client, video)
    WatchProgressFactory(video=video, user=pupil, watched=True)
    html = page(pupil_client, video)
    assert "Vue par 3 personnes" in html
    assert "Vous avez vu cette vidéo." in html
    [root] = [attrs for attrs in tags(html, "div") if attrs.get("id") == "player"]
    assert root["data-watched"] == "true"


def test_offers_and_sessions_of_the_sector(pupil_client, pupil, video):
    school = pupil.enrolments.get().school_class.school
    near = factories.OfferFactory(sector="F", domain="F16", title="Stage chez un électricien", commune=school.commune)
    remote = factories.OfferFactory(sector="F", domain="F17", title="Stage de maçonnerie à distance", remote=True)
    factories.OfferFactory(sector="H", title="Stage dans l'industrie", commune=school.commune)
    factories.OfferFactory(sector="F", title="Brouillon du bâtiment", draft=True, commune=school.commune)
    same_domain = DiscoverySessionFactory(sector="F16", title="Les métiers de l'électricité")
    DiscoverySessionFactory(sector="J14", title="Les métiers du soin")
    DiscoverySessionFactory(sector="F16", title="Séquence en brouillon", status="draft")
    DiscoverySessionFactory(
        sector="F16",
        title="Séquence passée",
        starts_at=timezone.now() - datetime.timedelta(days=2),
    )
    html = page(pupil_client, video)
    block = html[html.index("Regarder, demander, postuler") :]
    assert f'href="/offres/{near.pk}/"' in block
    assert f'href="/offres/{remote.pk}/"' in block
    assert "Stage dans l&#x27;industrie" not in block
    assert "Brouillon du bâtiment" not in block
    assert 'href="/offres/?sector=F"' in block
    assert "Voir les 2 offres du secteur" in block
    assert f'href="/sequences/{same_domain.pk}/"' in block
    assert "Les métiers du soin" not in block
    assert "Séquence en brouillon" not in block
    assert "Séquence passée" not in block
    assert 'href="/sequences/?sector=F16"' in block


def test_at_most_three_offers_and_sessions(pupil_client, pupil, video):
    commune = pupil.enrolments.get().school_class.school.commune
    for _ in range(5):
        factories.OfferFactory(sector="F", domain="F16", commune=commune)
        DiscoverySessionFactory(sector="F")
    block = page(pupil_client, video).split("Regarder, demander, postuler")[1]
    assert len(re.findall(r'href="/offres/\d+/"', block)) == 3
    assert len(re.findall(r'href="/sequences/\d+/"', block)) == 3
    assert "Voir les 5 offres du secteur" in block


def test_people_who_may_not_browse_sessions_see_no_sessions(client, video):
    employer = factories.OrganisationMembershipFactory().user
    DiscoverySessionFactory(sector="F16", title="Les métiers de l'électricité")
    client.force_login(employer)
    html = page(client, video)
    assert "Offres de stage du secteur" in html
    assert "Séquences à distance à venir" not in html


def test_a_teacher_sees_how_many_pupils_of_each_class_watched(client, video):
    teacher = factories.SchoolStaffFactory().user
    school = teacher.school_memberships.get().school
    mine = factories.SchoolClassFactory(school=school, teachers=[teacher], name="3e A")
    watched, _started = (factories.EnrolmentFactory(school_class=mine).pupil for _ in range(2))
    WatchProgressFactory(video=video, user=watched, watched=True)
    archived = factories.SchoolClassFactory(school=school, teachers=[teacher], name="3e Z", archived_at=timezone.now())
    factories.SchoolClassFactory(school=school, name="3e C")  # not hers
    client.force_login(teacher)
    html = page(client, video)
    assert "Dans mes classes" in html
    assert f'<tr><th scope="row">3e A · {school.name}</th><td>2</td><td>1</td><td>1</td></tr>' in html
    assert archived.name not in html
    assert "3e C" not in html


def test_pupils_see_no_class_counts(pupil_client, video):
    assert "Dans mes classes" not in page(pupil_client, video)


def test_makers_preview_their_draft(client):
    maker = factories.OrganisationMembershipFactory()
    draft = VideoFactory(host_organisation=maker.organisation, processed=True, title="Mon brouillon")
    VideoFileFactory(video=draft)
    CaptionFactory(video=draft)
    client.force_login(maker.user)
    html = page(client, draft)
    assert "Aperçu : cette vidéo n'est pas publiée" in html
    assert "État : Brouillon." in html
    assert tags(html, "video")
    [root] = [attrs for attrs in tags(html, "div") if attrs.get("id") == "player"]
    assert root["data-progress-url"] == ""  # nothing reported, nothing counted
    assert "Regarder, demander, postuler" not in html
    assert "Vue par" not in html


def test_platform_staff_preview_a_video_in_review(client):
    staff = factories.UserFactory(staff=True)
    in_review = VideoFactory(in_review=True)
    client.force_login(staff)
    assert "Aperçu : cette vidéo n'est pas publiée" in page(client, in_review)


@pytest.mark.parametrize("state", ["draft", "in_review", "withdrawn"])
def test_others_do_not_find_an_unpublished_video(pupil_client, client, state):
    video = VideoFactory(processed=True, state=state)
    assert pupil_client.get(reverse("videos:detail", args=[video.pk])).status_code == 404
    client.force_login(factories.OrganisationMembershipFactory().user)  # another organisation
    assert client.get(reverse("videos:detail", args=[video.pk])).status_code == 404


def test_an_unknown_video_is_a_404(pupil_client):
    assert pupil_client.get(reverse("videos:detail", args=[999999])).status_code == 404


def test_a_video_without_its_file_yet(client):
    maker = factories.OrganisationMembershipFactory()
    draft = VideoFactory(host_organisation=maker.organisation)
    client.force_login(maker.user)
    html = page(client, draft)
    assert "Le fichier de cette vidéo n'est pas encore disponible." in html
    assert not tags(html, "video")
    assert "media/player.js" not in html
