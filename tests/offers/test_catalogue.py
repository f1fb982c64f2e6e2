"""The catalogue pages: the search form and its errors, the results with their plan, pagination, the offer's
page, and the number of queries (constant whatever the number of results)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.offers.enums import OfferStatus, Reservation, Track
from backend.offers.views.catalogue import page_numbers
from backend.schools.enums import Priority
from tests import factories
from tests.offers.test_search import commune_at, offer

pytestmark = pytest.mark.django_db

URL = "/offres/"


@pytest.fixture
def centre():
    return commune_at("38001", "Centreville")


def results_section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="results-title">.*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_the_url_names():
    assert reverse("offers:catalogue") == URL
    assert reverse("offers:detail", args=[7]) == "/offres/7/"


def test_anyone_searches_near_a_commune(client, centre):
    near = offer(title="Électricienne à Nordin", commune=commune_at("38002", "Nordin", north_km=4))
    offer(title="Électricienne à distance", remote=True, disability_friendly=True)
    offer(title="Boulangère à Nordin", commune=commune_at("38002", "Nordin", north_km=4))
    offer(title="Électricienne au loin", commune=commune_at("38003", "Loin", north_km=40))
    response = client.get(URL, {"q": "electricienne", "commune": "Centreville (38)", "commune_code": "38001"})
    assert response.status_code == 200
    html = response.content.decode()
    section = results_section(html)
    assert "2 offres" in section
    assert "Électricienne à Nordin" in section
    assert "Électricienne à distance" in section
    assert "Boulangère" not in section
    assert "au loin" not in section
    assert f'href="/offres/{near.pk}/"' in section
    assert "à 4,0 km" in section
    assert "Accessible aux élèves en situation de handicap" in section
    assert "À distance" in section
    # The plan: the centre, the circle, one numbered marker (the remote offer has no place on it).
    assert '<svg class="offers-map__plan"' in section
    assert 'role="img"' in section
    assert "Plan des offres autour de Centreville (38)" in section
    assert section.count("<rect ") == 2  # the ground and one marker
    assert "1 offre à distance de cette page n'a pas de place sur le plan." in section
    assert "l'alternative textuelle" in section
    assert "<title>Offres de stage « electricienne » près de Centreville (38) — Passerelle</title>" in html


def test_the_first_visit_lists_the_newest_offers_without_a_plan(client, centre):
    offer(title="Une offre", commune=centre)
    response = client.get(URL)
    section = results_section(response.content.decode())
    assert "1 offre" in section
    assert "<svg" not in section
    assert "les plus récentes d'abord" in section


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"radius": "500"}, "Choisissez un rayon entre 1 et 100 km."),
        ({"radius": "abc"}, "Choisissez un rayon entre 1 et 100 km."),
        ({"sector": "Z"}, "Ce secteur n&#x27;existe pas : choisissez-en un dans la liste."),
        ({"track": "college"}, "Ce type de stage n&#x27;existe pas"),
        ({"format": "3d"}, "Ce format n&#x27;existe pas"),
        ({"sort": "price"}, "Ce tri n&#x27;existe pas"),
        ({"week": "2027-W60"}, "L&#x27;année 2027 n&#x27;a pas de semaine n° 60."),
        ({"week": "semaine 3"}, "n&#x27;est pas une semaine"),
        ({"week": "2020-W10"}, "La semaine 2020-W10 est passée"),
        ({"date_from": "2027-02-30"}, "Saisissez une date valide"),
        ({"date_to": "2020-01-10"}, "Cette date est passée"),
        ({"commune": "Atlantide"}, "Aucune commune ne correspond à « Atlantide »"),
        ({"commune": "", "commune_code": "99999"}, "Choisissez une commune dans la liste."),
        ({"page": "0"}, "Le numéro de page est un nombre entier à partir de 1."),
    ],
)
def test_bad_criteria_give_a_message_and_no_results(client, centre, params, message):
    offer(title="Une offre", commune=centre)
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "La recherche n'a pas pu être faite" in html
    assert message in html
    assert not results_section(html)
    assert "Erreur dans la recherche" in html


def test_dates_after_the_end_and_a_week_with_dates(client, centre):
    monday = factories.next_monday(3)
    html = client.get(URL, {"date_from": monday + datetime.timedelta(days=4), "date_to": monday}).content.decode()
    assert "La date de fin est avant la date de début." in html
    html = client.get(URL, {"week": "2027-W03", "date_from": monday}).content.decode()
    assert "Choisissez une semaine ou des dates, pas les deux." in html


def test_a_commune_without_coordinates_is_refused(client):
    factories.CommuneFactory(
        insee_code="98713", name="Arutua", search_name="arutua", departement_code="987", latitude=None, longitude=None
    )
    html = client.get(URL, {"commune": "Arutua (987)", "commune_code": "98713"}).content.decode()
    assert "La position de Arutua" in html
    assert not results_section(html)


def test_a_week_chosen_in_the_menu(client, centre):
    first, second = factories.next_monday(3), factories.next_monday(4)
    offer(title="Semaine un", commune=centre, weeks=[first])
    offer(title="Semaine deux", commune=centre, weeks=[second])
    year, number, _day = second.isocalendar()
    week = f"{year}-W{number:02d}"
    html = client.get(URL, {"week": week}).content.decode()
    assert f'<option value="{week}" selected>' in html
    section = results_section(html)
    assert "Semaine deux" in section
    assert "Semaine un" not in section


def test_an_empty_result_proposes_a_wider_radius(client, centre):
    offer(title="À 25 km", commune=commune_at("38007", "Vingtcinq", north_km=25))
    response = client.get(URL, {"commune": "Centreville (38)", "commune_code": "38001", "radius": "10", "q": ""})
    section = results_section(response.content.decode())
    assert "0 offre" in section
    assert "Aucune offre ne correspond à ces critères." in section
    link = re.search(r'<a class="fr-link" href="([^"]+)">Élargir la recherche à 30 km : 1 offre</a>', section)
    assert link, section
    wider = client.get(URL + link.group(1).replace("&amp;", "&"))
    assert "À 25 km" in results_section(wider.content.decode())


def test_pagination_keeps_the_query_string(client, centre):
    now = timezone.now()
    for number in range(45):
        offer(title=f"Offre {number:02d}", commune=centre, published_at=now - datetime.timedelta(minutes=number))
    html = client.get(URL, {"sector": "M", "page": "2"}).content.decode()
    section = results_section(html)
    assert "Offre 20" in section
    assert "Offre 19" not in section
    assert 'start="21"' in section
    assert 'href="?sector=M&amp;page=3"' in section
    assert 'href="?sector=M"' in section  # the first page
    assert 'aria-current="page" title="Page 2"' in section
    assert "page 2 sur 3" in html


def test_page_numbers_with_gaps():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(5, 10) == [1, None, 4, 5, 6, None, 10]
    assert page_numbers(10, 10) == [1, None, 9, 10]


def test_a_pupil_searches_around_her_school(client, centre):
    school = factories.SchoolFactory(commune=centre)
    pupil = factories.EnrolmentFactory(school_class__school=school).pupil
    offer(title="Près du collège", commune=commune_at("38010", "Voisine", east_km=5))
    offer(title="Loin du collège", commune=commune_at("38011", "Lointaine", east_km=50))
    client.force_login(pupil)
    html = client.get(URL).content.decode()
    section = results_section(html)
    assert "Recherche autour de votre établissement, à Centreville (38)." in section
    assert "Près du collège" in section
    assert "Loin du collège" not in section
    assert 'value="Centreville (38)"' in html
    # Emptied on purpose: everywhere.
    section = results_section(client.get(URL, {"commune": "", "commune_code": ""}).content.decode())
    assert "Loin du collège" in section


def test_reserved_for_me_is_offered_to_pupils_and_teachers_of_a_school(client, centre):
    school = factories.SchoolFactory(commune=centre, priority=Priority.REP, qpv=False)
    pupil = factories.EnrolmentFactory(school_class__school=school).pupil
    teacher = factories.SchoolStaffFactory(school=school).user
    offer(title="Ouverte", commune=centre)
    offer(title="Prioritaire", commune=centre, reservation=Reservation.PRIORITY)
    label = "Seulement les offres réservées à mon établissement"
    assert label not in client.get(URL).content.decode()
    client.force_login(factories.UserFactory())
    assert label not in client.get(URL).content.decode()
    for user in (pupil, teacher):
        client.force_login(user)
        html = client.get(URL).content.decode()
        assert label in html
        section = results_section(client.get(URL, {"reserved": "on"}).content.decode())
        assert "Prioritaire" in section
        assert "Ouverte" not in section
        assert "Réservée à l&#x27;éducation prioritaire" in section
    # The parameter means nothing to others.
    client.logout()
    section = results_section(client.get(URL, {"reserved": "on"}).content.decode())
    assert "Ouverte" in section
    assert "Prioritaire" not in section


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_number_of_queries_does_not_grow_with_the_results(
    client, centre, django_assert_max_num_queries, django_assert_num_queries, signed_in
):
    if signed_in:
        school = factories.SchoolFactory(commune=centre)
        client.force_login(factories.EnrolmentFactory(school_class__school=school).pupil)
    params = {"q": "métier", "commune": "Centreville (38)", "commune_code": "38001", "radius": "20"}

    def add_offers(first, last):
        for number in range(first, last):
            commune = commune_at(f"381{number:02d}", f"Ville {number}", east_km=number % 15)
            offer(title=f"Un métier {number}", commune=commune)

    add_offers(0, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, params).status_code == 200
    add_offers(3, 20)
    with django_assert_num_queries(len(few)):
        response = client.get(URL, params)
    assert "20 offres" in results_section(response.content.decode())
    # Anonymous: the commune, then the page with its offers' weeks (and one row more, to know whether more follow);
    # the view only reads, so no transaction is opened. Signed in: the session, the user and her roles for the
    # header (one query per app that grants roles), her school.
    with django_assert_max_num_queries(11 if signed_in else 2):
        client.get(URL, params)
    # Past one page, the count (stopped at 1,000) is one query more, whatever the number of offers.
    add_offers(20, 45)
    with django_assert_num_queries(len(few) + 1):
        response = client.get(URL, params)
    assert "45 offres" in results_section(response.content.decode())


# --- The offer's page ---------------------------------------------------------------------------------------------


def test_the_offer_page(client, centre):
    published = offer(
        title="Découvrir l'électricité",
        job_title="Électricien ou électricienne",
        rome_code="F1602",
        sector="F",
        domain="F16",
        address="3 rue des Fils",
        commune=centre,
        description="Premier paragraphe.\n\nSecond paragraphe.",
        group_size=2,
        disability_friendly=True,
        reservation=Reservation.OPEN,
        track=Track.PFMP,
        specialties=["Métiers de l'électricité"],
        schedule={"1": [["09:00", "12:00"], ["13:30", "17:00"]], "3": [["09:00", "12:00"]]},
    )
    response = client.get(f"/offres/{published.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Découvrir l&#x27;électricité</h1>" in html
    for expected in (
        published.organisation.name,
        "Électricien ou électricienne (code ROME F1602)",
        "Construction, bâtiment et travaux publics — Second oeuvre",
        "Métiers de l&#x27;électricité",
        "3 rue des Fils, Centreville (38)",
        "2 élèves par semaine",
        "La structure accueille les élèves en situation de handicap.",
        "<p>Premier paragraphe.</p>",
        "<p>Second paragraphe.</p>",
        "<caption>Horaires d'une semaine de stage (9 h 30 au total)</caption>",
        '<th scope="row">Lundi</th><td>09:00 – 12:00, 13:30 – 17:00</td><td>6 h 30</td>',
        '<th scope="row">Mercredi</th><td>09:00 – 12:00</td><td>3 h</td>',
        "Semaines avec des places",
        ": 2 places",
    ):
        assert expected in html, expected
    assert "Mardi" not in html


def test_offers_out_of_the_catalogue_are_not_found(client, centre):
    school = factories.SchoolFactory(commune=centre, priority=Priority.NONE, qpv=False)
    membership = factories.OrganisationMembershipFactory()
    draft = offer(commune=centre, organisation=membership.organisation, draft=True)
    hidden = offer(commune=centre, hidden_at=timezone.now())
    reserved = offer(commune=centre, reservation=Reservation.SCHOOLS, reserved_schools=[school])
    for hidden_offer in (draft, hidden, reserved):
        assert client.get(f"/offres/{hidden_offer.pk}/").status_code == 404
    assert client.get("/offres/999999/").status_code == 404
    # Its managers see a draft, with a word that it is not in the catalogue.
    client.force_login(membership.user)
    html = client.get(f"/offres/{draft.pk}/").content.decode()
    assert "Cette offre n'est pas dans le catalogue (état : Brouillon)." in html
    # The pupils of the listed school see the reserved offer.
    client.force_login(factories.EnrolmentFactory(school_class__school=school).pupil)
    assert client.get(f"/offres/{reserved.pk}/").status_code == 200


def test_a_full_offer_page_says_so(client, centre):
    full = offer(commune=centre, status=OfferStatus.PUBLISHED)
    full.weeks.update(seats_taken=2)
    html = client.get(f"/offres/{full.pk}/").content.decode()
    assert "Plus aucune place pour les semaines à venir." in html


def test_a_broad_search_says_more_than_the_limit(client, centre, monkeypatch):
    monkeypatch.setattr("backend.offers.search.COUNT_LIMIT", 30)
    for number in range(45):
        offer(title=f"Offre {number:02d}", commune=centre)
    section = results_section(client.get(URL).content.decode())
    assert "Plus de 30 offres" in section
    assert "précisez la recherche pour voir les autres" in section
