import pytest
from django.core.cache import cache

from backend.celery import app as celery_app
from tests import factories


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
    return {
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
