"""`{% load class_follow_up %}{% pupil_nudges %}` on the pupil's home: her teachers' nudges she has not marked seen,
each with a "J'ai vu" button. Nothing for anyone else (no query)."""

from django import template

from backend.follow_up.class_follow_up import NUDGE_LINKS, NUDGE_TEXTS, unseen_nudges

register = template.Library()


@register.inclusion_tag("follow_up/includes/pupil_nudges.html", takes_context=True)
def pupil_nudges(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_pupil:
        return {"nudges": []}
    return {
        "nudges": [
            {"nudge": nudge, "text": NUDGE_TEXTS[nudge.kind], "link": NUDGE_LINKS[nudge.kind]}
            for nudge in unseen_nudges(user)
        ],
        "request": request,
    }
