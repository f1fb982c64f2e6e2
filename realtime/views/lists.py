"""The rooms one may enter ("Mes salons"), grouped: under way, to come, ended."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from realtime import selectors


def my_rooms(request):
    """Every signed-in person has the page; it lists the rooms of her sessions and tutoring (for a teacher, every
    room of her classes), with when each opens, in her time zone."""
    lists = selectors.rooms_for(request.user)
    groups = [
        {"id": "current", "title": _("En cours"), "entries": lists.current},
        {"id": "upcoming", "title": _("À venir"), "entries": lists.upcoming},
        {"id": "ended", "title": _("Terminés"), "entries": lists.ended},
    ]
    return render(
        request,
        "realtime/list.html",
        {"groups": groups, "any_room": bool(lists), "page_title": _("Mes salons")},
    )
