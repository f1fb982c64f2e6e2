import copy
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from channels.layers import channel_layers
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings

from backend.celery import app as celery_app
from tests import browser_support, factories


def _redis_url_for_worker(url: str, worker: str) -> str:
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + 1 + int(worker.removeprefix('gw'))) % 16}"))


@pytest.fixture(autouse=True, scope="session")
def _own_redis_database_per_worker():
    """Parallel test processes (pytest-xdist) each get their own Redis database: clearing the cache in one
    (Django's Redis cache clears with FLUSHDB) must not wipe another's throttle counters."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not django_settings.REDIS_URL:
        yield
        return
    url = _redis_url_for_worker(django_settings.REDIS_URL, worker)
    caches_setting = copy.deepcopy(django_settings.CACHES)
    caches_setting["default"]["LOCATION"] = url
    layers_setting = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    layers_setting["default"]["CONFIG"]["hosts"] = [url]
    with override_settings(CACHES=caches_setting, CHANNEL_LAYERS=layers_setting):
        channel_layers.backends.clear()
        yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process():
    """Tests run queued tasks at once, in the test's process, whatever broker the settings name; the tests
    of the broker itself start a worker of their own."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a third of a second per password; tests create dozens of accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles, lockouts and join-code counters live in the cache: every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _dashboards_computed_at_each_request(settings):
    """Dashboards' figures are kept for a while in production (backend/follow_up/figures.py); tests change data
    between two requests, so they compute them each time (tests/follow_up/test_figures.py turns the keeping on)."""
    settings.FOLLOW_UP_FIGURES_SECONDS = 0


@pytest.fixture
def world(db):
    """One school with a head, a teacher, a class with two pupils, an organisation, an association."""
    school = factories.SchoolFactory()
    head = factories.SchoolStaffFactory(school=school, head=True).user
    teacher = factories.SchoolStaffFactory(school=school).user
    school_class = factories.SchoolClassFactory(school=school, teachers=[teacher])
    pupil = factories.EnrolmentFactory(school_class=school_class).pupil
    pupil_pending = factories.EnrolmentFactory(
        school_class=school_class, pupil__pupil_profile__consent_status="pending"
    ).pupil
    pending_teacher = factories.SchoolStaffFactory(school=school, pending=True)
    employer_membership = factories.OrganisationMembershipFactory()
    organisation = employer_membership.organisation
    professional = factories.OrganisationMembershipFactory(organisation=organisation, professional=True).user
    pending_org_member = factories.OrganisationMembershipFactory(organisation=organisation, pending=True)
    association_membership = factories.AssociationMembershipFactory()
    association = association_membership.association
    pending_association_member = factories.AssociationMembershipFactory(association=association, pending=True)
    tutor = factories.TutorProfileFactory().user
    # The organisation's published offer, with the class's consented pupil applying to it; a draft of the same
    # organisation; an offer the association posted for another organisation.
    offer = factories.OfferFactory(organisation=organisation)
    application = factories.ApplicationFactory(offer=offer, pupil=pupil)
    draft_offer = factories.OfferFactory(organisation=organisation, draft=True)
    association_offer = factories.OfferFactory(association=association)
    world = {
        "offer": offer,
        "application": application,
        "draft_offer": draft_offer,
        "association_offer": association_offer,
        "school": school,
        "school_class": school_class,
        "organisation": organisation,
        "association": association,
        "pending_teacher": pending_teacher,
        "pending_org_member": pending_org_member,
        "pending_association_member": pending_association_member,
        "users": {
            "pupil": pupil,
            "pupil_pending": pupil_pending,
            "teacher": teacher,
            "school_head": head,
            "tutor": tutor,
            "professional": professional,
            "employer": employer_membership.user,
            "association_staff": association_membership.user,
            "platform_staff": factories.UserFactory(staff=True, is_superuser=True),
            "no_role": factories.UserFactory(),
        },
    }
    # --- referent ---
    from tests.follow_up import world_territory

    world_territory.extend(world)  # world["users"]["referent"]: the referent of the world school's département
    # --- end referent ---
    # Each scheduling area adds what its pages need (tests/scheduling/world_*.py).
    from tests.follow_up import world_class_follow_up, world_follow_up
    from tests.media import world_media
    from tests.realtime import world_rooms
    from tests.scheduling import world_attendance, world_calendar, world_safeguarding, world_sessions, world_tutoring

    for area in (
        world_tutoring,
        world_safeguarding,
        world_sessions,
        world_calendar,
        world_rooms,
        world_media,
        world_follow_up,
        world_attendance,
        world_class_follow_up,
    ):
        area.extend(world)
    return world


# Browser journeys (tests/browser_support.py): one Chromium per module, a watched page per test.
CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; each test gets its own context, so no cookie leaks between tests."""
    with browser_support.chromium() as chromium:
        yield chromium


def _watched(request, browser, base_url, **context_options):
    with browser_support.watched_page(browser, base_url, **context_options) as watched:
        yield watched
        if request.node.stash.get(CALL_FAILED, True):
            watched.print_state()  # reported with the failure; the records would only repeat it
        else:
            watched.assert_clean()


@pytest.fixture
def ui(request, browser, live_server):
    """A watched page on the live server: `ui.goto(path)`, `ui.check()`, and `ui.page` for Playwright itself.
    After a test that passed, it fails on any error recorded or any page left without an axe check."""
    yield from _watched(request, browser, live_server.url)


@pytest.fixture
def mobile_ui(request, browser, live_server):
    """The same on a phone's screen."""
    yield from _watched(
        request, browser, live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
