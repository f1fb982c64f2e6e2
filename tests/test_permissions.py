"""Role × URL: every URL pattern of the project is listed here with who may reach it. A new view fails
`test_every_url_pattern_is_listed` until it is added to ACCESS with its rule."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import ADULTS, EVERYONE, LOGIN, PUPILS, ROLES, SIGNED_IN, Access
from tests.follow_up import (
    access_association,
    access_class_follow_up,
    access_follow_up,
    access_school_follow_up,
    access_territory,
)
from tests.media import access_media
from tests.offers import (
    access_agreements,
    access_applications,
    access_catalogue,
    access_moderation,
    access_partner,
    access_posting,
)
from tests.realtime import access_rooms
from tests.scheduling import access_attendance, access_calendar, access_safeguarding, access_sessions, access_tutoring


def class_args(world):
    return {"pk": world["school_class"].pk}


def pupil_args(world):
    return {"pk": world["school_class"].pk, "pupil_pk": world["users"]["pupil_pending"].pk}


CLASS_MANAGERS = {"teacher", "school_head", "platform_staff"}

ACCESS = {
    "healthz": Access(EVERYONE),
    # Uploaded images (embedded mode): public; the world has none, hence 404 (tests/test_uploaded_files.py).
    "uploaded_file": Access(EVERYONE, ok=404, kwargs=lambda w: {"path": "none.jpg"}),
    "set_language": Access(EVERYONE, method="post", ok=302, data={"language": "en", "next": "/"}),
    # Pages for everyone.
    "ui:welcome": Access(EVERYONE),
    "ui:accessibility": Access(EVERYONE),
    "ui:legal": Access(EVERYONE),
    "ui:privacy": Access(EVERYONE),
    "accounts:signup_done": Access(EVERYONE),
    "accounts:resend_verification": Access(EVERYONE),
    "accounts:verify_email": Access(set(), denied=400, anonymous=400, kwargs=lambda w: {"token": "abc:def"}),
    "accounts:password_reset": Access(EVERYONE),
    "accounts:password_reset_done": Access(EVERYONE),
    "accounts:password_reset_confirm": Access(EVERYONE, kwargs=lambda w: {"uidb64": "MQ", "token": "abc-def"}),
    "accounts:password_reset_complete": Access(EVERYONE),
    # Pages for people without an account: a signed-in person is sent to her home.
    "accounts:login": Access({"anonymous"}, denied=302, anonymous=200),
    "accounts:signup": Access({"anonymous"}, denied=302, anonymous=200),
    "schools:join": Access({"anonymous"}, denied=302, anonymous=200),
    "schools:join_details": Access(set(), denied=302, anonymous=302),
    "accounts:logout": Access(SIGNED_IN, method="post", ok=302),
    # Every signed-in person.
    "ui:home": Access(SIGNED_IN - {"no_role"}, ok=302, denied=200),
    "accounts:profile": Access(SIGNED_IN),
    "accounts:password_change": Access(SIGNED_IN),
    # Adults only.
    "accounts:tutor_become": Access(ADULTS),
    "schools:join_request": Access(ADULTS),
    "organisations:organisation_join": Access(ADULTS),
    "organisations:association_join": Access(ADULTS),
    # Each role's home.
    "ui:home_pupil": Access(PUPILS),
    "ui:home_teacher": Access({"teacher"}),
    "ui:home_school_head": Access({"school_head"}),
    "ui:home_tutor": Access({"tutor"}),
    "ui:home_organisation": Access({"employer", "professional"}),
    "ui:home_association": Access({"association_staff"}),
    "ui:home_platform": Access({"platform_staff"}),
    # Schools and classes.
    "schools:team": Access({"school_head", "platform_staff"}, kwargs=lambda w: {"uai": w["school"].uai}),
    "schools:team_decide": Access(
        {"school_head", "platform_staff"},
        method="post",
        ok=302,
        data={"decision": "confirm"},
        kwargs=lambda w: {"uai": w["school"].uai, "membership_id": w["pending_teacher"].pk},
    ),
    "schools:class_create": Access({"teacher", "school_head"}),
    "schools:class_detail": Access(CLASS_MANAGERS, kwargs=class_args),
    "schools:class_internship_week": Access(CLASS_MANAGERS, kwargs=class_args),
    "schools:class_join_code": Access(
        CLASS_MANAGERS, method="post", ok=302, data={"action": "rotate"}, kwargs=class_args
    ),
    "schools:pupil_consent": Access(CLASS_MANAGERS, method="post", ok=302, kwargs=pupil_args),
    "schools:pupil_password_reset": Access(CLASS_MANAGERS, method="post", kwargs=pupil_args),
    # Organisations and associations.
    "organisations:organisation_members": Access(
        {"employer", "platform_staff"}, kwargs=lambda w: {"pk": w["organisation"].pk}
    ),
    "organisations:organisation_decide": Access(
        {"employer", "platform_staff"},
        method="post",
        ok=302,
        data={"decision": "confirm"},
        kwargs=lambda w: {"pk": w["organisation"].pk, "membership_id": w["pending_org_member"].pk},
    ),
    "organisations:association_members": Access(
        {"association_staff", "platform_staff"}, kwargs=lambda w: {"pk": w["association"].pk}
    ),
    "organisations:association_decide": Access(
        {"association_staff", "platform_staff"},
        method="post",
        ok=302,
        data={"decision": "confirm"},
        kwargs=lambda w: {"pk": w["association"].pk, "membership_id": w["pending_association_member"].pk},
    ),
    # Commune autocomplete, used by public forms.
    "geo:search": Access(EVERYONE, data={"q": "sai"}),
    # The API answers JSON: 401 to anonymous callers, 404 for what a caller may not see.
    "api:me": Access(SIGNED_IN, anonymous=401),
    "api:school-list": Access(SIGNED_IN, anonymous=401),
    "api:school-detail": Access(SIGNED_IN, anonymous=401, kwargs=lambda w: {"uai": w["school"].uai}),
    "api:class-list": Access(SIGNED_IN, anonymous=401),
    "api:class-detail": Access(CLASS_MANAGERS | PUPILS, denied=404, anonymous=401, kwargs=class_args),
    "api:auth-token": Access(set(), method="post", denied=400, anonymous=400),
    "api:schema": Access(EVERYONE),
    "api:docs": Access(EVERYONE),
    "api:console": Access(EVERYONE),
    "api:docs-script": Access(EVERYONE),
    "api:not-found": Access(set(), denied=404, anonymous=404),
}
# Each area of the offers app lists its own pages.
for area in (
    access_catalogue,
    access_posting,
    access_moderation,
    access_applications,
    access_partner,
    access_tutoring,
    access_safeguarding,
    access_sessions,
    access_calendar,
    access_rooms,
    access_media,
    access_follow_up,
    access_agreements,
    access_attendance,
    access_association,
    access_school_follow_up,
    access_class_follow_up,
    access_territory,
):
    assert not set(area.ACCESS) & set(ACCESS), f"{area.__name__} lists a URL twice"
    ACCESS.update(area.ACCESS)


def all_url_names(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child_namespace = entry.namespace or namespace
            if namespace and entry.namespace:
                child_namespace = f"{namespace}:{entry.namespace}"
            yield from all_url_names(entry, child_namespace)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {entry.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def test_every_url_pattern_is_listed():
    names = {name for name in all_url_names() if not name.startswith("admin:")}
    missing = sorted(names - set(ACCESS))
    assert not missing, f"URL patterns without an access rule in tests/test_permissions.py: {missing}"
    stale = sorted(set(ACCESS) - names)
    assert not stale, f"Access rules for URL patterns that no longer exist: {stale}"


def reach(client, world, url_name, role):
    """What `role` gets from `url_name`, inside a savepoint rolled back afterwards, so that a POST by one
    role (confirming a request, say) does not change what the next role finds."""
    rule = ACCESS[url_name]
    url = reverse(url_name, kwargs=rule.kwargs(world) if rule.kwargs else None)
    client.logout()
    cache.clear()  # throttling counts requests per address: each role starts afresh
    if role != "anonymous":
        client.force_login(world["users"][role])
    with transaction.atomic():
        response = getattr(client, rule.method)(url, data=rule.data)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL)):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("url_name", sorted(ACCESS))
def test_access(client, world, url_name):
    rule = ACCESS[url_name]
    got = {role: reach(client, world, url_name, role) for role in ROLES}
    expected = {role: rule.expected(role) for role in ROLES}
    wrong = {role: f"expected {expected[role]}, got {got[role]}" for role in ROLES if got[role] != expected[role]}
    assert not wrong, f"{url_name}: {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_platform_staff_only(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url)
        if role == "platform_staff":
            assert response.status_code == 200
        else:
            assert response.status_code == 302
            assert response["Location"].startswith((reverse("admin:login"), reverse(settings.LOGIN_URL)))
