"""Tokens of the partner API: an association's programs push offers with them (see backend/api/README.md).

A token is `pas_` followed by 43 random URL-safe characters (`secrets.token_urlsafe(32)`: 256 bits). Only its
SHA-256 is stored: a database leak gives no working token, and the secret is shown once, when it is made. Its
first characters (the prefix) stay visible to tell tokens apart. The hash of such a secret needs no salt nor
slow hashing: nobody can guess 256 random bits, whatever the speed.
"""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.organisations.models import Association, PartnerToken

SCHEME = "pas_"
PREFIX_LENGTH = len(SCHEME) + 8
# last_used_at is written at most this often, so that a busy partner does not write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_SECRET_LENGTH = 200


class TokenError(Exception):
    """A rule refused the operation; the message is for the person, already translated."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def partner_token_create(*, association: Association, name: str, by) -> tuple[PartnerToken, str]:
    """A new token of `association`, named by `by` (a confirmed member of its staff: the caller checks).

    Returns the token and its secret, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Donnez un nom au jeton, pour le reconnaître ensuite."))
    secret = SCHEME + secrets.token_urlsafe(32)
    token = PartnerToken.objects.create(
        association=association,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return token, secret


@transaction.atomic
def partner_token_revoke(*, token: PartnerToken, by) -> PartnerToken:
    """Revokes the token at once: the next request made with it is refused. Revoking twice changes nothing."""
    locked = PartnerToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = by if getattr(by, "is_authenticated", False) else None
        locked.save(update_fields=["revoked_at", "revoked_by"])
    token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
    return token


def partner_token_authenticate(*, secret: str) -> PartnerToken | None:
    """The active token with this secret, or None; notes when it was last used (at most once a minute)."""
    if not secret or len(secret) > MAX_SECRET_LENGTH or not secret.startswith(SCHEME):
        return None
    key_hash = hash_secret(secret)
    token = (
        PartnerToken.objects.select_related("association").filter(key_hash=key_hash, revoked_at__isnull=True).first()
    )
    # The lookup is by the hash, through a unique index; the comparison in constant time is a second lock.
    if token is None or not hmac.compare_digest(token.key_hash, key_hash):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        PartnerToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def association_tokens(association: Association) -> list[PartnerToken]:
    """The association's tokens, newest first, revoked ones included (they are the record)."""
    return list(association.partner_tokens.select_related("created_by", "revoked_by"))
