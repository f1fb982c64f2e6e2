"""The data of the national view's and the open data's tests: three départements (one overseas), remote offers,
offers that must not count, and pupils of four kinds of schools, around the 2026-2027 school year."""

import datetime

from backend.follow_up.territory import SchoolYear
from backend.offers.enums import ApplicationStatus, OfferFormat, OfferStatus
from backend.offers.models import Application
from backend.organisations.enums import Sector
from backend.schools.enums import Priority
from tests import factories

PARIS = datetime.timezone(datetime.timedelta(hours=2))  # Paris in summer (CEST), for the boundary moments
YEAR = SchoolYear(2026)
OCTOBER = datetime.date(2026, 10, 5)  # Mondays of the 2026-2027 school year
JANUARY = datetime.date(2027, 1, 11)
LAST_WEEK_2025 = datetime.date(2026, 8, 31)  # a Monday of 2025-2026: the school year begins on 1 September
LAST_WEEK_2026 = datetime.date(2027, 8, 30)
IN_YEAR = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def commune(insee, name, code, departement, latitude, longitude, time_zone="Europe/Paris"):
    return factories.CommuneFactory(
        insee_code=insee,
        name=name,
        search_name=name.lower(),
        departement_code=code,
        departement_name=departement,
        latitude=latitude,
        longitude=longitude,
        time_zone=time_zone,
    )


def offer(place, *, weeks=(OCTOBER,), seats=2, **kwargs):
    if place is None:
        return factories.OfferFactory(remote=True, weeks=list(weeks), weeks__seats=seats, **kwargs)
    return factories.OfferFactory(commune=place, weeks=list(weeks), weeks__seats=seats, **kwargs)


def pupil_of(school, *, school_year=2026):
    return factories.EnrolmentFactory(school_class__school=school, school_class__school_year=school_year).pupil


def apply(pupil, to, status=ApplicationStatus.SUBMITTED, at=IN_YEAR):
    application = factories.ApplicationFactory(offer=to, pupil=pupil, status=status)
    Application.objects.filter(pk=application.pk).update(created_at=at)
    return application


def make_country() -> dict:
    """Offers in Seine-Saint-Denis, the Rhône and La Réunion, remote ones, and what must not count; applications of
    pupils of four schools (REP+, REP, QPV only, none) and of a pupil without a class."""
    seine = commune("93066", "Saint-Denis", "93", "Seine-Saint-Denis", 48.9362, 2.3574)
    lyon = commune("69123", "Lyon", "69", "Rhône", 45.7640, 4.8357)
    reunion = commune("97411", "Saint-Denis", "974", "La Réunion", -20.8789, 55.4481, "Indian/Reunion")
    offers = {
        # Seine-Saint-Denis: 3 offers (one unpublished, one hybrid), 2 + 2 + 2 + 3 seats.
        "h1": offer(seine, weeks=(OCTOBER, JANUARY)),
        "h2": offer(seine, status=OfferStatus.UNPUBLISHED),
        "hybrid": offer(seine, seats=3, sector=Sector.D, domain="D12", format=OfferFormat.HYBRID),
        # The Rhône: one PFMP in health, archived since.
        "lyon": offer(lyon, seats=5, sector=Sector.J, domain="J14", pfmp=True, status=OfferStatus.ARCHIVED),
        # La Réunion: one offer, one seat.
        "reunion": offer(reunion, seats=1),
        # Remote: two offers, one of them a PFMP.
        "remote": offer(None, seats=10, sector=Sector.E, domain="E11"),
        "remote_pfmp": offer(None, seats=10, sector=Sector.E, domain="E11", pfmp=True),
        # Not counted: a draft, an offer waiting for validation, an offer hidden by the moderation.
        "draft": offer(seine, draft=True),
        "submitted": offer(seine, submitted=True),
        "hidden": offer(seine, hidden_at=IN_YEAR),
        # Around the boundary: the week of 31 August 2026 belongs to 2025-2026, that of 30 August 2027 to 2026-2027.
        "boundary": offer(seine, weeks=(LAST_WEEK_2025, LAST_WEEK_2026), seats=4),
    }
    schools = {
        "rep_plus": factories.SchoolFactory(commune=seine, priority=Priority.REP_PLUS, qpv=True),
        "rep": factories.SchoolFactory(commune=lyon, priority=Priority.REP, qpv=False),
        "qpv": factories.SchoolFactory(commune=reunion, priority=Priority.NONE, qpv=True),
        "none": factories.SchoolFactory(commune=lyon, priority=Priority.NONE, qpv=False),
    }
    pupils = {name: pupil_of(school) for name, school in schools.items()}
    apply(pupils["rep_plus"], offers["h1"], ApplicationStatus.CONFIRMED)
    apply(pupils["rep_plus"], offers["h2"])
    apply(pupils["rep"], offers["lyon"], ApplicationStatus.CONFIRMED)
    apply(pupils["qpv"], offers["reunion"], ApplicationStatus.DECLINED)
    apply(pupils["none"], offers["h1"], ApplicationStatus.WITHDRAWN)
    apply(factories.UserFactory(pupil=True), offers["remote"])  # no class: counted nationally only
    # Sent at 00:30 on 1 September, Paris time (22:30 UTC the day before): 2026-2027.
    apply(pupil_of(schools["rep_plus"]), offers["h1"], at=datetime.datetime(2026, 9, 1, 0, 30, tzinfo=PARIS))
    # Sent at 23:30 on 31 August, Paris time: 2025-2026, not counted.
    apply(pupil_of(schools["rep_plus"]), offers["h1"], at=datetime.datetime(2026, 8, 31, 23, 30, tzinfo=PARIS))
    # A pupil who moved from the "none" school to the REP one during the year counts for the REP school.
    mover = pupil_of(schools["none"])
    mover.enrolments.update(left_at=IN_YEAR, joined_at=IN_YEAR - datetime.timedelta(days=60))
    factories.EnrolmentFactory(pupil=mover, school_class__school=schools["rep"], school_class__school_year=2026)
    apply(mover, offers["remote"])
    # Last year's class does not say where a pupil is this year.
    apply(pupil_of(schools["rep"], school_year=2025), offers["remote"])
    return {"communes": {"93": seine, "69": lyon, "974": reunion}, "offers": offers, "schools": schools}
