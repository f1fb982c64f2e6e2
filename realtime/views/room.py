"""The room page (`/salons/<id>/`) and the doors to it from a session or a tutoring booking.

The page is rendered by the server with what a reader needs without a socket: the header (title, times in the
reader's zone, the room's state), the video-conference link and the latest messages. While the room is open or
locked, `realtime/static/realtime/room.js` connects to `ws/rooms/<id>/` and keeps it live; a closed room shows its
transcript, page by page, and opens no socket.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from realtime import frames, permissions, selectors, services
from realtime.enums import RoomState
from realtime.models import Room
from scheduling.models import Booking, DiscoverySession

# How many messages the page shows at first, and per "earlier messages" step.
PAGE_SIZE = 50


def _frames(room: Room, messages) -> list[dict]:
    roles: dict = {}
    built = []
    for message in messages:
        if message.author_id not in roles:
            roles[message.author_id] = permissions.role_of(message.author, room)
        built.append(frames.message(message, roles[message.author_id]))
    return built


def _transcript(messages, built) -> list[dict]:
    """What the closed room's page shows: the frames' names and roles, the times as datetimes (rendered in the
    reader's zone by the template)."""
    labels = _role_labels()
    return [
        {
            "id": frame["id"],
            "name": frame["author"]["name"],
            "role": labels.get(frame["author"]["role"], ""),
            "created_at": message.created_at,
            "body": frame["body"],
            "deleted": frame.get("deleted", False),
        }
        for message, frame in zip(messages, built, strict=True)
    ]


def _before(request) -> int | None:
    """`?avant=<number>`: the transcript page before that message; anything else means the latest page."""
    value = request.GET.get("avant", "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**62 else None


def _role_labels() -> dict:
    return {
        "pupil": _("élève"),
        "tutor": _("tuteur ou tutrice"),
        "professional": _("professionnel·le"),
        "facilitator": _("animation"),
        "teacher": _("professeur·e"),
        "staff": _("équipe encadrante"),
        "adult": _("adulte"),
    }


def ui_strings(*, pupil: bool) -> dict:
    """Every text the script shows, translated here so that room.js holds no French of its own. `%(name)s` marks
    what the script fills in. Pupils are addressed with "tu", adults with "vous"."""
    return {
        "roles": _role_labels(),
        "connected": _("Connecté"),
        "connecting": _("Connexion…"),
        "reconnecting": _("Reconnexion… nouvel essai dans %(seconds)s s"),
        "offline": _("Hors ligne : les messages arriveront au retour de la connexion."),
        "not_allowed": _(
            "Tu n'as pas ou plus accès à ce salon (par exemple après un retrait par la modération). "
            "Recharge la page pour vérifier."
        )
        if pupil
        else _(
            "Vous n'avez pas ou plus accès à ce salon (par exemple après un retrait par la modération). "
            "Rechargez la page pour vérifier."
        ),
        "closed": _("Le salon est terminé : recharge la page pour relire les messages.")
        if pupil
        else _("Le salon est terminé : rechargez la page pour relire les messages."),
        "not_open": _("Le salon n'est pas encore ouvert : la page se reconnectera à l'ouverture, à %(time)s."),
        "rate_limited": _("Trop de messages d'un coup : nouvel essai dans %(seconds)s s."),
        "deleted": _("Message supprimé par la modération"),
        "former": _("Ancien participant"),
        "report": _("Signaler"),
        "report_sr": _("le message de %(name)s"),
        "report_title": _("Signaler un message"),
        "report_sent": _("Signalement envoyé à la modération. Merci."),
        "reason_label": _("Motif (facultatif)"),
        "send_report": _("Envoyer le signalement"),
        "cancel": _("Annuler"),
        "delete": _("Supprimer"),
        "delete_title": _("Supprimer ce message"),
        "pin": _("Épingler"),
        "unpin": _("Désépingler"),
        "no_pinned": _("Aucun message épinglé."),
        "mute": _("Rendre muet"),
        "mute_title": _("Retirer la parole à %(name)s"),
        "unmute": _("Rendre la parole"),
        "remove": _("Retirer du salon"),
        "remove_title": _("Retirer %(name)s du salon"),
        "confirm": _("Confirmer"),
        "muted_you": _("La modération t'a retiré la parole dans ce salon.")
        if pupil
        else _("La modération vous a retiré la parole dans ce salon."),
        "unmuted_you": _("La modération t'a rendu la parole.")
        if pupil
        else _("La modération vous a rendu la parole."),
        "muted_badge": _("muet"),
        "you": _("toi") if pupil else _("vous"),
        "raise_hand": _("Lever la main"),
        "lower_hand": _("Baisser la main"),
        "lower_hand_of": _("Baisser la main de %(name)s"),
        "no_hands": _("Aucune main levée."),
        "nobody": _("Personne pour le moment."),
        "typing_one": _("%(names)s écrit…"),
        "typing_many": _("%(names)s écrivent…"),
        "no_questions": _("Aucune question pour le moment."),
        "question_status": {
            "pending": _("en attente de validation"),
            "approved": _("validée"),
            "answered": _("répondue"),
            "rejected": _("écartée par la modération"),
        },
        "approve": _("Valider"),
        "reject": _("Écarter"),
        "mark_answered": _("Marquer comme répondue"),
        "question_sent": _("Question envoyée."),
        "question_pending": _("Question envoyée : elle sera visible après validation par un adulte."),
        "no_polls": _("Aucun sondage pour le moment."),
        "vote": _("Voter"),
        "voted": _("Vote enregistré."),
        "close_poll": _("Clore le sondage"),
        "poll_closed": _("Sondage clos"),
        "votes": _("%(count)s vote(s), %(percent)s %%"),
        "total_votes": _("%(count)s vote(s) au total"),
        "poll_options_error": _("Un sondage a une question et de 2 à 6 réponses."),
        "room_locked": _("La modération a verrouillé le salon : personne ne peut y écrire pour le moment."),
        "room_unlocked": _("Le salon est de nouveau ouvert à l'écriture."),
        "lock": _("Verrouiller le salon"),
        "unlock": _("Déverrouiller le salon"),
        "premoderation_on": _("Validation des questions : activée"),
        "premoderation_off": _("Validation des questions : désactivée"),
        "states": {state.value: str(state.label) for state in RoomState},
        "counter": _("%(count)s / %(max)s caractères"),
        "too_long": _("Le message dépasse %(max)s caractères."),
        "empty": _("Le message est vide."),
        "new_report": _("Nouveau signalement : message de %(name)s"),
        "reported_message": _("« %(body)s »"),
        "relay": _(
            "Message enregistré, mais la diffusion en direct a échoué : les autres le recevront à leur retour."
        ),
        "error": _("Une erreur est survenue. Réessaie.") if pupil else _("Une erreur est survenue. Réessayez."),
        "earlier_none": _("Il n'y a pas de message plus ancien."),
    }


def room_page(request, room_id):
    room = get_object_or_404(Room.objects.select_related("session", "booking__slot", "booking__pupil"), pk=room_id)
    user = request.user
    if not permissions.can_enter(user, room):
        raise PermissionDenied
    state = room.state()
    moderator = permissions.can_moderate(user, room)
    role = permissions.role_of(user, room)
    speaker = permissions.is_speaker(user, room, role=role, moderator=moderator)
    closed = state == RoomState.CLOSED
    before = _before(request) if closed else None
    messages = selectors.messages_page(room, before_seq=before, limit=PAGE_SIZE)
    earlier = bool(messages) and bool(selectors.messages_page(room, before_seq=messages[0].seq, limit=1))
    message_frames = _frames(room, messages)
    pinned = None
    if room.pinned_message_id:
        pinned_message = room.pinned_message
        if not pinned_message.is_deleted:
            pinned = _frames(room, [pinned_message])[0]
    video = None
    if room.session_id:
        video = {
            "provider": room.session.get_video_provider_display(),
            "url": room.session.video_url,
        }
    you = {
        "id": user.pk,
        "name": user.display_name,
        "role": role,
        "moderator": moderator,
        "speaker": speaker,
        "muted": selectors.is_muted(room, user),
    }
    config = {
        "room": room.pk,
        "socket": f"/ws/rooms/{room.pk}/",
        "state": state.value,
        "opens_at": room.opens_at.isoformat(),
        "ends_at": room.ends_at.isoformat(),
        "premoderation": room.questions_premoderated,
        "time_zone": user.time_zone,
        "language": request.LANGUAGE_CODE,
        "max_length": services.max_message_length(),
        "you": you,
        "messages": [] if closed else message_frames,
        "earlier": earlier,
        "pinned": pinned,
    }
    context = {
        "room": room,
        "page_title": frames.room_title(room),
        "state": state,
        "states": RoomState,
        "closed": closed,
        "transcript": _transcript(messages, message_frames) if closed else [],
        "earlier_url": f"{reverse('realtime:room', args=[room.pk])}?avant={messages[0].seq}"
        if closed and earlier
        else "",
        "latest_url": reverse("realtime:room", args=[room.pk]) if before else "",
        "video": video,
        "you": you,
        "config": config,
        "strings": ui_strings(pupil=user.is_pupil),
        "max_length": config["max_length"],
        "time_zone_label": user.get_time_zone_display(),
    }
    return render(request, "realtime/room.html", context)


def _enter(request, make_room):
    """The room of a session or booking, created on first use by somebody who may enter; for anybody else the
    savepoint rolls back and nothing is created."""
    with transaction.atomic():
        room = make_room()
        if not permissions.can_enter(request.user, room):
            raise PermissionDenied
    return redirect("realtime:room", room.pk)


def session_room(request, session_id):
    session = get_object_or_404(DiscoverySession, pk=session_id)
    return _enter(request, lambda: services.room_for_session(session))


def booking_room(request, booking_id):
    booking = get_object_or_404(Booking.objects.select_related("slot", "pupil"), pk=booking_id)
    return _enter(request, lambda: services.room_for_booking(booking))
