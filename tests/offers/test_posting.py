"""The posting pages: the four steps of the offer form, the offers I manage, an offer's page, its moves and its
duplication. Bad input re-shows the step with its errors and writes nothing."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from backend.offers.enums import OfferEventKind, OfferFormat, OfferStatus, Reservation, Track
from backend.offers.models import Offer, OfferEvent, OfferWeek
from backend.offers.rules import default_schedule, iso_week
from backend.organisations.models import HostOrganisation
from tests import factories
from tests.factories import next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership():
    return factories.OrganisationMembershipFactory()


@pytest.fixture
def employer(client, membership):
    client.force_login(membership.user)
    return membership.user


@pytest.fixture
def organisation(membership):
    return membership.organisation


def edit_url(offer, step):
    return reverse("offers:edit", args=[offer.pk, step])


def job_data(organisation=None, **overrides):
    data = {
        "title": "Découvrir la boulangerie",
        "sector": "D",
        "domain": "D11",
        "job_title": "Boulanger ou boulangère",
        "rome_code": "d1102",
        "description": "Pétrir, façonner, cuire.",
    }
    if organisation is not None:
        data["organisation"] = str(organisation.pk)
    return {**data, **overrides}


def schedule_data(schedule: dict, group_size=1) -> dict:
    data = {"group_size": group_size}
    for day, ranges in schedule.items():
        for part, (start, end) in zip(("am", "pm"), ranges, strict=False):
            data[f"d{day}_{part}_start"], data[f"d{day}_{part}_end"] = start, end
    return data


def weeks_data(rows: list[tuple[str, object]], initial=0) -> dict:
    data = {"weeks-TOTAL_FORMS": len(rows), "weeks-INITIAL_FORMS": initial}
    for index, (week, seats) in enumerate(rows):
        data[f"weeks-{index}-week"], data[f"weeks-{index}-seats"] = week, seats
    return data


def errors_of(response) -> str:
    return response.content.decode()


# --- Step 1 --------------------------------------------------------------------------------------------------


def test_step_one_creates_the_draft(client, employer, organisation):
    page = client.get(reverse("offers:create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="fr-stepper"' in html
    assert 'data-fr-current-step="1" data-fr-steps="4"' in html
    assert '<optgroup label="Industrie">' in html  # domains grouped by sector
    assert 'value="H26"' in html

    response = client.post(reverse("offers:create"), job_data(organisation))
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(offer, "lieu")
    assert (offer.status, offer.organisation, offer.association) == (OfferStatus.DRAFT, organisation, None)
    assert offer.rome_code == "D1102"
    assert offer.created_by == employer
    assert list(offer.events.values_list("kind", flat=True)) == [OfferEventKind.CREATED]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"domain": "H26"}, "Le domaine H26 n&#x27;appartient pas au secteur choisi."),
        ({"rome_code": "1234"}, "Un code ROME s&#x27;écrit avec une lettre"),
        ({"title": ""}, "Ce champ est obligatoire."),
        ({"domain": "Z99"}, "Sélectionnez un choix valide."),
    ],
)
def test_step_one_shows_its_errors_and_creates_nothing(client, employer, organisation, overrides, message):
    response = client.post(reverse("offers:create"), job_data(organisation, **overrides))
    assert response.status_code == 200
    assert message in errors_of(response)
    assert 'id="error-summary"' in errors_of(response)
    assert not Offer.objects.exists()


def test_an_employer_posts_only_for_her_organisations(client, employer):
    other = factories.HostOrganisationFactory()
    response = client.post(reverse("offers:create"), job_data(other))
    assert response.status_code == 200
    assert not Offer.objects.exists()
    # And she cannot create a new one here: that is the association staff's way.
    response = client.post(reverse("offers:create"), {**job_data(), "organisation": "new"})
    assert response.status_code == 200
    assert not Offer.objects.exists()


def test_association_staff_post_for_a_new_organisation(client):
    staff = factories.AssociationMembershipFactory()
    client.force_login(staff.user)
    commune = factories.CommuneFactory()
    page = client.get(reverse("offers:create"))
    assert "Une autre structure" in page.content.decode()
    data = {
        **job_data(),
        "organisation": "new",
        "association": staff.association.pk,
        "structure-siret": factories.valid_siret(987654),
        "structure-name": "Boulangerie du Marché",
        "structure-kind": "company",
        "structure-sector": "D",
        "structure-commune": "Saint-Denis (93)",
        "structure-commune_code": commune.insee_code,
    }
    # Without the new organisation's name, nothing is created.
    response = client.post(reverse("offers:create"), {**data, "structure-name": ""})
    assert response.status_code == 200
    assert not HostOrganisation.objects.filter(name="Boulangerie du Marché").exists()
    assert not Offer.objects.exists()

    response = client.post(reverse("offers:create"), data)
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.association == staff.association
    assert offer.organisation.name == "Boulangerie du Marché"
    assert offer.organisation.commune == commune
    assert not offer.organisation.memberships.exists()  # nobody joined it

    # Next time, the organisation is in the association's list.
    page = client.get(reverse("offers:create"))
    assert "Structures déjà accompagnées par mon association" in page.content.decode()
    response = client.post(
        reverse("offers:create"),
        {**job_data(offer.organisation, title="Deuxième offre"), "association": staff.association.pk},
    )
    assert response.status_code == 302
    assert Offer.objects.filter(organisation=offer.organisation, association=staff.association).count() == 2


def test_association_staff_name_the_association(client):
    staff = factories.AssociationMembershipFactory()
    client.force_login(staff.user)
    existing = factories.OfferFactory(association=staff.association).organisation
    response = client.post(reverse("offers:create"), job_data(existing))  # no association chosen
    # The field is required for someone who is not an employer: a single association is the only choice.
    assert response.status_code == 200
    assert not Offer.objects.filter(title="Découvrir la boulangerie").exists()


# --- Step 2 --------------------------------------------------------------------------------------------------


def test_step_two_saves_the_place(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, commune=None, latitude=None, longitude=None)
    commune = factories.CommuneFactory()
    response = client.post(
        edit_url(offer, "lieu"),
        {
            "track": Track.OBSERVATION_3E,
            "format": OfferFormat.ON_SITE,
            "address": "3 place du Marché",
            "commune": "Saint-Denis (93)",
            "commune_code": commune.insee_code,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(offer, "semaines")
    offer.refresh_from_db()
    assert (offer.commune, offer.latitude, offer.address) == (commune, commune.latitude, "3 place du Marché")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"track": Track.PFMP, "format": OfferFormat.REMOTE}, "Indiquez au moins une spécialité pour une PFMP."),
        (
            {"track": Track.OBSERVATION_3E, "format": OfferFormat.ON_SITE},
            "Indiquez la commune où se déroule le stage.",
        ),
        (
            {"track": Track.OBSERVATION_3E, "format": OfferFormat.ON_SITE, "commune": "Nullepart-sur-Mer"},
            "Aucune commune ne correspond",
        ),
        ({"track": "cm2", "format": OfferFormat.ON_SITE}, "Sélectionnez un choix valide."),
    ],
)
def test_step_two_errors(client, employer, organisation, data, message):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    before = Offer.objects.values().get(pk=offer.pk)
    response = client.post(edit_url(offer, "lieu"), data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert Offer.objects.values().get(pk=offer.pk) == before


def test_a_remote_pfmp(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    response = client.post(
        edit_url(offer, "lieu"),
        {
            "track": Track.PFMP,
            "format": OfferFormat.REMOTE,
            "specialties": "Boulanger\n\n Pâtissier ",
            "commune": "Saint-Denis (93)",
            "address": "ignored",
        },
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.specialties, offer.commune, offer.latitude, offer.address) == (
        ["Boulanger", "Pâtissier"],
        None,
        None,
        "",
    )


def test_a_commune_without_coordinates_warns_the_employer(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    factories.CommuneFactory(insee_code="98799", name="Atoll", departement_code="987", latitude=None, longitude=None)
    response = client.post(
        edit_url(offer, "lieu"),
        {"track": Track.OBSERVATION_3E, "format": OfferFormat.ON_SITE, "commune": "Atoll", "commune_code": "98799"},
        follow=True,
    )
    assert "n&#x27;a pas de coordonnées connues" in response.content.decode()
    offer.refresh_from_db()
    assert offer.commune.insee_code == "98799"
    assert offer.latitude is None


# --- Step 3 --------------------------------------------------------------------------------------------------


def test_step_three_is_prefilled(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=[next_monday(4)])
    html = client.get(edit_url(offer, "semaines")).content.decode()
    assert 'data-fr-current-step="3"' in html
    assert f'value="{iso_week(next_monday(4))}"' in html
    assert 'type="week"' in html
    assert 'name="d1_am_start" value="09:00"' in html
    assert 'type="time"' in html
    assert 'name="d6_am_start"' in html  # Saturday, empty
    assert 'name="weeks-TOTAL_FORMS" value="4"' in html  # the week and three empty rows


def test_step_three_saves_weeks_and_schedule(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=[next_monday(4), next_monday(5)])
    schedule = {"1": [["08:30", "12:00"], ["13:00", "16:30"]], "2": [["09:00", "12:00"]]}
    data = {
        **schedule_data(schedule, group_size=3),
        **weeks_data([(iso_week(next_monday(4)), 4), ("", ""), (iso_week(next_monday(8)), 0), ("", "")], initial=2),
    }
    response = client.post(edit_url(offer, "semaines"), data)
    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == edit_url(offer, "public")
    offer.refresh_from_db()
    assert offer.schedule == schedule
    assert offer.group_size == 3
    assert [(week.week_start, week.seats) for week in offer.weeks.all()] == [(next_monday(4), 4), (next_monday(8), 0)]


SCHEDULE_ERRORS = [
    ({"1": [["08:00", "12:00"], ["13:00", "17:00"]]}, Track.OBSERVATION_3E, "Le lundi : 8 h de présence"),
    ({"6": [["09:00", "12:00"]]}, Track.OBSERVATION_3E, "lieu du lundi au vendredi : pas de samedi"),
    ({"1": [["21:00", "23:00"]]}, Track.OBSERVATION_3E, "aucune présence n&#x27;est permise entre 22 h et 6 h"),
    (
        {str(day): [["08:00", "12:00"], ["13:00", "15:00"]] for day in range(1, 7)},
        Track.PFMP,
        "36 h de présence sur la semaine, au-delà des 35 h permises.",
    ),
    ({}, Track.OBSERVATION_3E, "Indiquez au moins un jour de présence avec ses horaires."),
]


@pytest.mark.parametrize(("schedule", "track", "message"), SCHEDULE_ERRORS)
def test_schedule_errors_are_shown_next_to_the_schedule(client, employer, organisation, schedule, track, message):
    offer = factories.OfferFactory(organisation=organisation, draft=True, track=track, pfmp=track == Track.PFMP)
    response = client.post(
        edit_url(offer, "semaines"), {**schedule_data(schedule), **weeks_data([(iso_week(next_monday(6)), 2)])}
    )
    assert response.status_code == 200
    html = errors_of(response)
    fieldset = re.search(r'<fieldset class="fr-fieldset fr-fieldset--error" id="schedule".*?</fieldset>', html, re.S)
    assert fieldset, "the schedule fieldset is not in error"
    assert message in fieldset.group(0)
    assert message in html.split('id="error-summary"')[1]  # and in the summary above the form
    offer.refresh_from_db()
    assert offer.schedule == default_schedule()
    assert offer.weeks.count() == 2
    assert not offer.events.exists()


def test_a_half_filled_range(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    data = {**schedule_data({"1": [["09:00", "12:00"]]}), "d2_am_start": "09:00", **weeks_data([])}
    response = client.post(edit_url(offer, "semaines"), data)
    assert response.status_code == 200
    assert "Le mardi matin : indiquez l&#x27;heure de début et l&#x27;heure de fin." in errors_of(response)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("2027-W60", 2)], "L&#x27;année 2027 n&#x27;a pas de semaine n° 60."),
        ([("semaine 3", 2)], "n&#x27;est pas une semaine"),
        ([(iso_week(next_monday(5)), -1)], "Le nombre de places ne peut pas être négatif."),
        ([(iso_week(next_monday(5)), "")], "Indiquez le nombre de places de cette semaine"),
        ([("", 3)], "Indiquez la semaine de ces places."),
        ([(iso_week(next_monday(-1)), 2)], "est commencée ou passée"),
        ([(iso_week(next_monday(5)), 1), (iso_week(next_monday(5)), 2)], "est indiquée deux fois"),
    ],
)
def test_week_errors_change_nothing(client, employer, organisation, rows, message):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=[next_monday(4)])
    data = {**schedule_data({"1": [["09:00", "12:00"]]}, group_size=5), **weeks_data(rows)}
    response = client.post(edit_url(offer, "semaines"), data)
    assert response.status_code == 200
    assert message in errors_of(response)
    offer.refresh_from_db()
    assert (offer.group_size, offer.schedule) == (1, default_schedule())
    assert [(week.week_start, week.seats) for week in offer.weeks.all()] == [(next_monday(4), 2)]


def test_seats_below_those_taken_are_refused(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, weeks=[next_monday(4)], weeks__seats=3)
    OfferWeek.objects.filter(offer=offer).update(seats_taken=2)
    html = client.get(edit_url(offer, "semaines")).content.decode()
    assert "<td>2</td>" in html  # seats already taken, shown on the row
    data = {**schedule_data(default_schedule()), **weeks_data([(iso_week(next_monday(4)), 1)], initial=1)}
    response = client.post(edit_url(offer, "semaines"), data)
    assert response.status_code == 200
    assert "indiquez au moins 2 place(s)" in errors_of(response)
    assert offer.weeks.get().seats == 3


def test_adding_rows_saves_nothing(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=[next_monday(4)])
    data = {
        **schedule_data({"1": [["09:00", "12:00"]]}),
        **weeks_data([(iso_week(next_monday(4)), 2), (iso_week(next_monday(9)), 1)], initial=1),
        "add_weeks": "1",
    }
    response = client.post(edit_url(offer, "semaines"), data)
    assert response.status_code == 200
    html = errors_of(response)
    assert 'name="weeks-TOTAL_FORMS" value="5"' in html
    assert f'value="{iso_week(next_monday(9))}"' in html  # what was typed stays
    assert 'id="error-summary"' not in html
    assert offer.weeks.count() == 1
    offer.refresh_from_db()
    assert offer.schedule == default_schedule()


# --- Step 4 --------------------------------------------------------------------------------------------------


def test_step_four_reviews_and_submits(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    page = client.get(edit_url(offer, "public"))
    html = page.content.decode()
    assert "Récapitulatif de l'offre" in html
    assert "Enregistrer le brouillon" in html
    assert "Envoyer pour validation" in html
    assert escape(offer.title) in html

    response = client.post(edit_url(offer, "public"), {"reservation": Reservation.PRIORITY, "action": "submit"})
    assert response.status_code == 302
    assert response["Location"] == reverse("offers:manage", args=[offer.pk])
    offer.refresh_from_db()
    assert (offer.status, offer.reservation) == (OfferStatus.SUBMITTED, Reservation.PRIORITY)


def test_step_four_saves_the_draft(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    response = client.post(
        edit_url(offer, "public"), {"reservation": Reservation.OPEN, "disability_friendly": "on", "action": "save"}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.disability_friendly) == (OfferStatus.DRAFT, True)


def test_step_four_tells_what_is_missing(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True, weeks=0)
    assert "Proposez au moins une semaine" in client.get(edit_url(offer, "public")).content.decode()
    response = client.post(edit_url(offer, "public"), {"reservation": Reservation.OPEN, "action": "submit"})
    assert response.status_code == 200
    assert "ne peut pas encore être envoyée" in errors_of(response)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_schools_are_chosen_by_uai_or_name(client, employer, organisation):
    first = factories.SchoolFactory(name="Collège Jean-Jaurès")
    second = factories.SchoolFactory(name="Lycée Paul-Éluard")
    factories.SchoolFactory(name="Collège Jean-Moulin")
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    ambiguous = client.post(
        edit_url(offer, "public"),
        {"reservation": Reservation.SCHOOLS, "reserved_schools": "Collège Jean", "action": "save"},
    )
    assert ambiguous.status_code == 200
    assert "Plusieurs établissements correspondent à « Collège Jean »" in ambiguous.content.decode()
    unknown = client.post(
        edit_url(offer, "public"),
        {"reservation": Reservation.SCHOOLS, "reserved_schools": "0000000A", "action": "save"},
    )
    assert "Aucun établissement n&#x27;a le numéro UAI 0000000A." in unknown.content.decode()
    empty = client.post(edit_url(offer, "public"), {"reservation": Reservation.SCHOOLS, "action": "save"})
    assert "Indiquez au moins un établissement." in empty.content.decode()
    assert not offer.reserved_schools.exists()

    response = client.post(
        edit_url(offer, "public"),
        {
            "reservation": Reservation.SCHOOLS,
            "reserved_schools": f"{first.uai.lower()}\nPaul-Éluard\n",
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert set(offer.reserved_schools.all()) == {first, second}
    # Shown back as "Name (UAI)", which reads back the same.
    html = client.get(edit_url(offer, "public")).content.decode()
    assert f"Collège Jean-Jaurès ({first.uai})" in html
    response = client.post(
        edit_url(offer, "public"),
        {
            "reservation": Reservation.SCHOOLS,
            "reserved_schools": f"Collège Jean-Jaurès ({first.uai})",
            "action": "save",
        },
    )
    assert list(offer.reserved_schools.all()) == [first]


def test_editing_a_published_offer_keeps_it_published(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation)
    html = client.get(edit_url(offer, "public")).content.decode()
    assert "Envoyer pour validation" not in html
    response = client.post(edit_url(offer, "metier"), job_data(sector="H", domain="H26", title="Nouveau titre"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.title) == (OfferStatus.PUBLISHED, "Nouveau titre")
    assert offer.events.get().kind == OfferEventKind.EDITED


def test_editing_an_archived_offer_is_refused(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, status=OfferStatus.ARCHIVED)
    response = client.post(edit_url(offer, "metier"), job_data(title="Nouveau titre"))
    assert response.status_code == 302
    assert response["Location"] == reverse("offers:manage", args=[offer.pk])
    offer.refresh_from_db()
    assert offer.title != "Nouveau titre"


def test_an_unknown_step_is_not_found(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    assert client.get(edit_url(offer, "dessert")).status_code == 404


def test_someone_else_s_offer_is_forbidden(client, employer):
    offer = factories.OfferFactory(draft=True)
    assert client.get(edit_url(offer, "metier")).status_code == 403
    assert client.get(reverse("offers:manage", args=[offer.pk])).status_code == 403
    assert client.get(reverse("offers:edit", args=[999999, "metier"])).status_code == 404


# --- Lists, the offer's page, moves, duplicate --------------------------------------------------------------


def test_my_offers_with_seats_left_and_applications(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, weeks=[next_monday(-2), next_monday(4)], weeks__seats=3)
    OfferWeek.objects.filter(offer=offer, week_start=next_monday(4)).update(seats_taken=1)
    factories.ApplicationFactory(offer=offer)
    factories.ApplicationFactory(offer=offer)
    draft = factories.OfferFactory(organisation=organisation, draft=True, title="Mon brouillon")
    someone_else = factories.OfferFactory(title="Pas à moi")
    html = client.get(reverse("offers:mine")).content.decode()
    assert escape(offer.title) in html
    assert draft.title in html
    assert someone_else.title not in html
    assert f"{iso_week(next_monday(4))} : 2/3" in html
    assert iso_week(next_monday(-2)) not in html  # past weeks are not "left"
    assert "2 candidatures" in html
    assert reverse("offers:offer_applications", args=[offer.pk]) in html
    assert "Brouillon" in html


def test_the_offer_page_for_its_managers(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, weeks=[next_monday(4)], weeks__seats=3)
    OfferWeek.objects.filter(offer=offer).update(seats_taken=1)
    OfferEvent.objects.create(offer=offer, kind=OfferEventKind.PUBLISHED, actor=factories.UserFactory(staff=True))
    html = client.get(reverse("offers:manage", args=[offer.pk])).content.decode()
    assert "Publiée" in html
    assert re.search(rf"{iso_week(next_monday(4))}.*?<td>3</td><td>1</td><td>2</td>", html, re.S)
    assert 'value="unpublish"' in html
    assert 'value="archive"' in html
    assert 'value="submit"' not in html
    assert "Équipe de la plateforme" in html  # the history, without naming staff


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        (OfferStatus.DRAFT, "submit", OfferStatus.SUBMITTED),
        (OfferStatus.PUBLISHED, "unpublish", OfferStatus.UNPUBLISHED),
        (OfferStatus.UNPUBLISHED, "republish", OfferStatus.PUBLISHED),
        (OfferStatus.UNPUBLISHED, "archive", OfferStatus.ARCHIVED),
        (OfferStatus.DRAFT, "archive", OfferStatus.DRAFT),  # refused
        (OfferStatus.SUBMITTED, "publish", OfferStatus.SUBMITTED),  # not a manager's move
        (OfferStatus.PUBLISHED, "explode", OfferStatus.PUBLISHED),
    ],
)
def test_moves_from_the_offer_page(client, employer, organisation, state, action, after):
    offer = factories.OfferFactory(organisation=organisation, status=state)
    response = client.post(reverse("offers:transition", args=[offer.pk]), {"action": action}, follow=True)
    assert response.redirect_chain == [(reverse("offers:manage", args=[offer.pk]), 302)]
    offer.refresh_from_db()
    assert offer.status == after
    level = "success" if after != state else "error"
    assert f"fr-alert--{level}" in response.content.decode()


def test_transition_is_post_only(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, draft=True)
    assert client.get(reverse("offers:transition", args=[offer.pk])).status_code == 405


def test_duplicate_from_the_offer_page(client, employer, organisation):
    offer = factories.OfferFactory(organisation=organisation, status=OfferStatus.ARCHIVED)
    response = client.post(reverse("offers:duplicate", args=[offer.pk]))
    copy = Offer.objects.exclude(pk=offer.pk).get()
    assert response["Location"] == edit_url(copy, "metier")
    assert copy.status == OfferStatus.DRAFT
