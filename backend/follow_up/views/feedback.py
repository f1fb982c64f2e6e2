"""Feedback pages: "Vos avis" (what one may still answer, and what one answered) and the short questionnaire."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from backend.follow_up import rules, selectors, services
from backend.follow_up.enums import KIND_SLUGS, RespondentRole
from backend.follow_up.forms import FeedbackForm


@require_GET
def questionnaires(request):
    pupil = request.user.is_pupil
    return render(
        request,
        "follow_up/questionnaires.html",
        {
            "pending": selectors.pending_questionnaires(request.user),
            "answered": selectors.answered_questionnaires(request.user),
            "is_pupil": pupil,
            "window_days": settings.FEEDBACK_WINDOW_DAYS,
            "page_title": _("Tes avis") if pupil else _("Vos avis"),
        },
    )


@require_http_methods(["GET", "POST"])
def answer(request, kind, pk):
    """The questionnaire of one event; a 404 for anyone who may not answer it now."""
    kind = KIND_SLUGS.get(kind)
    questionnaire = selectors.questionnaire_of(request.user, kind, pk) if kind else None
    if questionnaire is None or questionnaire.state not in (rules.State.OPEN, rules.State.ANSWERED):
        raise Http404
    pupil = questionnaire.role == RespondentRole.PUPIL
    if questionnaire.state == rules.State.ANSWERED:
        messages.info(
            request,
            _("Tu as déjà donné ton avis. Merci !") if pupil else _("Vous avez déjà donné votre avis. Merci !"),
        )
        return redirect("follow_up:questionnaires")
    form = FeedbackForm(request.POST or None, role=questionnaire.role, kind=questionnaire.kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_submit(
                user=request.user,
                kind=questionnaire.kind,
                target_id=questionnaire.target_id,
                satisfaction=form.cleaned_data["satisfaction"],
                helped_choose=form.cleaned_data.get("helped_choose", ""),
                comment=form.cleaned_data.get("comment", ""),
            )
        except services.FeedbackError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Merci pour ton avis !") if pupil else _("Merci pour votre avis !"))
            return redirect("follow_up:questionnaires")
    title = (_("Ton avis : %(title)s") if pupil else _("Votre avis : %(title)s")) % {"title": questionnaire.title}
    if form.errors:  # the page's title says so first, for screen-reader users
        title = _("Erreur : %(title)s") % {"title": title}
    return render(
        request,
        "follow_up/answer.html",
        {"questionnaire": questionnaire, "form": form, "is_pupil": pupil, "page_title": title},
    )
