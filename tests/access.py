"""Who may reach a URL: the vocabulary of tests/test_permissions.py, shared with the per-area lists."""

from dataclasses import dataclass, field

ROLES = [
    "anonymous",
    "pupil",
    "pupil_pending",
    "teacher",
    "school_head",
    "tutor",
    "professional",
    "employer",
    "association_staff",
    "platform_staff",
    "referent",  # --- referent --- a prefecture referent (follow_up.TerritoryReferent)
    "no_role",
]
PUPILS = {"pupil", "pupil_pending"}
SIGNED_IN = set(ROLES) - {"anonymous"}
ADULTS = SIGNED_IN - PUPILS
EVERYONE = set(ROLES)
LOGIN = "login"  # a redirect to the sign-in page


@dataclass
class Access:
    """Who gets `ok` (a status code); the other signed-in people get `denied`, anonymous people `anonymous`."""

    allowed: set
    ok: int = 200
    method: str = "get"
    denied: int = 403
    anonymous: object = LOGIN
    kwargs: object = None  # a function of the `world` fixture giving the URL's arguments
    data: dict = field(default_factory=dict)

    def expected(self, role):
        if role in self.allowed:
            return self.ok
        return self.anonymous if role == "anonymous" else self.denied
