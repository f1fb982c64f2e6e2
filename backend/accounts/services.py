import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import ConsentStatus
from backend.accounts.models import CONSENT_AGE, PupilProfile, TutorProfile, User
from backend.accounts.tasks import send_email
from backend.accounts.text import ascii_slug

EMAIL_VERIFICATION_SALT = "passerelle.accounts.email-verification"
EMAIL_VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3  # three days


class AccountError(Exception):
    """A rule refused the operation; the message is meant for the person."""


def email_send_on_commit(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    transaction.on_commit(lambda: send_email.delay(subject=subject, body=body, to=[to]))


def email_verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=EMAIL_VERIFICATION_SALT)


def email_verification_send(*, user: User) -> None:
    link = settings.SITE_URL + reverse("accounts:verify_email", args=[email_verification_token(user)])
    email_send_on_commit(
        to=user.email,
        subject=_("Passerelle : confirmez votre adresse e-mail"),
        template="accounts/email/verify_email.txt",
        context={"user": user, "link": link, "days": EMAIL_VERIFICATION_MAX_AGE // 86400},
    )


@transaction.atomic
def adult_sign_up(*, first_name: str, last_name: str, email: str, password: str, time_zone: str) -> User:
    """Creates an adult's account; she can sign in once she has followed the link sent to her e-mail."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(_("Un compte existe déjà avec cette adresse e-mail."))
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        time_zone=time_zone,
    )
    email_verification_send(user=user)
    return user


@transaction.atomic
def email_verify(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=EMAIL_VERIFICATION_SALT, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise AccountError(_("Ce lien a expiré. Demandez-en un nouveau depuis la page de connexion.")) from error
    except signing.BadSignature as error:
        raise AccountError(_("Ce lien n'est pas valide. Vérifiez qu'il est complet.")) from error
    user = User.objects.select_for_update().filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise AccountError(_("Ce lien ne correspond à aucun compte."))
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def pupil_identifier(first_name: str, last_name: str) -> str:
    """A short identifier a pupil can remember and type: first name, initial and four digits."""
    base = f"{ascii_slug(first_name)[:20] or 'eleve'}.{ascii_slug(last_name)[:1] or 'x'}"
    for _attempt in range(50):
        candidate = f"{base}{secrets.randbelow(9000) + 1000}"
        if not User.objects.filter(username=candidate).exists():
            return candidate
    raise AccountError(_("Impossible de créer un identifiant pour le moment. Réessayez."))


def consent_status_for(birth_date: datetime.date, today: datetime.date) -> ConsentStatus:
    if PupilProfile.age_on(birth_date, today) < CONSENT_AGE:
        return ConsentStatus.PENDING
    return ConsentStatus.NOT_REQUIRED


@transaction.atomic
def pupil_account_create(
    *, first_name: str, last_name: str, birth_date: datetime.date, password: str, time_zone: str
) -> User:
    """Creates a pupil's account (no e-mail). Under 15, she waits for her guardian's consent."""
    user = User.objects.create_user(
        username=pupil_identifier(first_name, last_name),
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        time_zone=time_zone,
    )
    PupilProfile.objects.create(
        user=user, birth_date=birth_date, consent_status=consent_status_for(birth_date, timezone.localdate())
    )
    return user


@transaction.atomic
def pupil_consent_record(*, pupil: User, recorded_by: User) -> PupilProfile:
    profile = PupilProfile.objects.select_for_update().get(user=pupil)
    if profile.consent_status != ConsentStatus.PENDING:
        raise AccountError(_("L'accord de ce représentant légal n'est pas attendu."))
    profile.consent_status = ConsentStatus.RECEIVED
    profile.consent_recorded_by = recorded_by
    profile.consent_recorded_at = timezone.now()
    profile.save(update_fields=["consent_status", "consent_recorded_by", "consent_recorded_at"])
    return profile


# Temporary passwords a teacher reads out to a pupil: no look-alike characters, easy to type on a phone.
TEMPORARY_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a password


@transaction.atomic
def pupil_password_reset(*, pupil: User) -> str:
    """Gives the pupil a temporary password, which she must replace at her next sign-in."""
    password = "-".join("".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    pupil.set_password(password)
    pupil.must_change_password = True
    pupil.save(update_fields=["password", "must_change_password"])
    return password


@transaction.atomic
def tutor_profile_create(*, user: User, presentation: str) -> TutorProfile:
    if user.is_pupil:
        raise AccountError(_("Un élève ne peut pas devenir tuteur bénévole."))
    profile, _created = TutorProfile.objects.update_or_create(user=user, defaults={"presentation": presentation})
    return profile
