"""Writes of the feedback questionnaires: an answer, and the daily e-mail that invites people to give theirs."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.follow_up import rules, selectors
from backend.follow_up.models import TARGET_FIELDS, FeedbackAnswer, FeedbackInvitation

logger = logging.getLogger(__name__)

# The daily e-mail tells about questionnaires whose event ended within this many days: a missed run is caught up
# the next day, and the first run after a deployment does not e-mail about two months of past events.
INVITATION_LOOKBACK = datetime.timedelta(days=7)


class FeedbackError(Exception):
    """A refused answer: a translated sentence for the person, the field it concerns (or None), and a code."""

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.field = field


def _refusal(questionnaire: selectors.Questionnaire | None) -> FeedbackError | None:
    if questionnaire is None:
        return FeedbackError(_("Ce questionnaire n'existe pas, ou ne concerne pas ce compte."), code="not_eligible")
    refusals = {
        rules.State.ANSWERED: (_("Cet avis a déjà été donné. Merci !"), "already_answered"),
        rules.State.NOT_HELD: (_("Ce questionnaire n'est pas ouvert : l'événement n'a pas eu lieu."), "not_held"),
        rules.State.NOT_YET: (_("Ce questionnaire ouvrira à la fin de l'événement."), "not_yet"),
        rules.State.CLOSED: (
            _("Ce questionnaire est fermé : on peut répondre jusqu'à %(days)s jours après l'événement.")
            % {"days": settings.FEEDBACK_WINDOW_DAYS},
            "closed",
        ),
    }
    if questionnaire.state in refusals:
        message, code = refusals[questionnaire.state]
        return FeedbackError(message, code=code)
    return None


def answer_submit(
    *, user, kind: str, target_id: int, satisfaction, helped_choose: str = "", comment: str = "", now=None
) -> FeedbackAnswer:
    """Records `user`'s answer to the questionnaire of an event (`kind`: session, tutoring or internship; the id of
    the session, tutoring booking or application).

    Refused with a `FeedbackError`, nothing written: she did not take part, the event did not take place, has not
    ended or ended more than `FEEDBACK_WINDOW_DAYS` days ago, she answered already (also when two answers race: the
    database's unique constraint keeps the first), or a value is wrong (satisfaction 1–5; "it helped me choose" from
    pupils, required; a comment of at most 1000 characters from adults only)."""
    now = now or timezone.now()
    questionnaire = selectors.questionnaire_of(user, kind, target_id, now=now)
    refusal = _refusal(questionnaire)
    if refusal is not None:
        raise refusal
    values, errors = rules.clean_answer(
        role=questionnaire.role, satisfaction=satisfaction, helped_choose=helped_choose, comment=comment
    )
    if errors:
        field, message = next(iter(errors.items()))
        raise FeedbackError(message, code="invalid", field=field)
    target_field = TARGET_FIELDS[questionnaire.kind]
    try:
        with transaction.atomic():
            return FeedbackAnswer.objects.create(
                kind=questionnaire.kind,
                respondent=user,
                respondent_role=questionnaire.role,
                **{target_field: questionnaire.target},
                **selectors.answer_facts(user, questionnaire),
                **values,
                created_at=now,
            )
    except IntegrityError:
        if FeedbackAnswer.objects.filter(respondent=user, **{target_field: questionnaire.target}).exists():
            raise FeedbackError(_("Cet avis a déjà été donné. Merci !"), code="already_answered") from None
        raise


# --- The daily invitation ------------------------------------------------------------------------------------------


def _invitation_message(user, questionnaires: list[selectors.Questionnaire]) -> EmailMultiAlternatives:
    with timezone.override(user.time_zone or settings.TIME_ZONE):
        context = {
            "recipient": user,
            "questionnaires": questionnaires,
            "is_pupil": user.is_pupil,
            "link": settings.SITE_URL.rstrip("/") + reverse("follow_up:questionnaires"),
            "window_days": settings.FEEDBACK_WINDOW_DAYS,
        }
        text = render_to_string("follow_up/email/invitation.txt", context)
        html = render_to_string("follow_up/email/invitation.html", context)
    subject = _("Passerelle : donne ton avis") if user.is_pupil else _("Passerelle : donnez votre avis")
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def _invite(user, questionnaires: list[selectors.Questionnaire], *, now) -> bool:
    """Records the invitations and sends the e-mail in one transaction: if another run invited her meanwhile, the
    unique constraint refuses the rows and nothing is sent; if the sending fails, the rows go with the rollback and
    the next run sends it."""
    try:
        with transaction.atomic():
            FeedbackInvitation.objects.bulk_create(
                FeedbackInvitation(kind=q.kind, object_id=q.target_id, user=user, sent_at=now) for q in questionnaires
            )
            _invitation_message(user, questionnaires).send()
    except IntegrityError:
        return False
    return True


def invitations_send(*, now=None) -> int:
    """E-mails each person who has new questionnaires to answer (their event ended within the last 7 days) one
    message listing them, and never twice about the same questionnaire. People without an e-mail address — most
    pupils — find them on their "Vos avis" page. Returns the number of e-mails sent."""
    now = now or timezone.now()
    since = now - INVITATION_LOOKBACK
    candidates = list(selectors.invitation_candidates(since=since, until=now))
    invited = set(FeedbackInvitation.objects.filter(user__in=candidates).values_list("user_id", "kind", "object_id"))
    sent = 0
    for user in candidates:
        new = [
            questionnaire
            for questionnaire in selectors.pending_questionnaires(user, now=now)
            if questionnaire.ends_at > since and (user.pk, questionnaire.kind, questionnaire.target_id) not in invited
        ]
        if new:
            sent += _invite(user, new, now=now)
    logger.info("feedback invitations sent", extra={"sent": sent, "candidates": len(candidates)})
    return sent
