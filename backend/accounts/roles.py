"""Which roles a person holds. Each app that grants a role registers a provider at start-up, so that this
module imports no other app of ours (accounts stays at the bottom of the dependency graph)."""

from collections.abc import Callable

from backend.accounts.enums import ROLE_PRIORITY, Role

RoleProvider = Callable[[object], set[Role]]
_providers: list[RoleProvider] = []


def register_role_provider(provider: RoleProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def account_roles(user) -> set[Role]:
    roles = set()
    if user.is_pupil:
        roles.add(Role.PUPIL)
    if hasattr(user, "tutor_profile"):
        roles.add(Role.TUTOR)
    if user.is_staff:
        roles.add(Role.PLATFORM_STAFF)
    return roles


def user_roles(user) -> list[Role]:
    """The confirmed roles of a user, in landing order; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_passerelle_roles", None)
    if cached is None:
        found: set[Role] = set()
        for provider in _providers:
            found |= provider(user)
        cached = [role for role in ROLE_PRIORITY if role in found]
        user._passerelle_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return any(role in user_roles(user) for role in roles)


def forget_roles(user) -> None:
    if hasattr(user, "_passerelle_roles"):
        del user._passerelle_roles
