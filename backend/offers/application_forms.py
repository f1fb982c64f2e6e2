"""Forms of the applications pages. They check the shape of the input; the rules live in the services."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from backend.offers.applications import DECLINE_DETAIL_MAX, MOTIVATION_MAX, MOTIVATION_MIN, NOTE_MAX
from backend.offers.enums import DeclineReason
from backend.offers.models import OfferWeek
from backend.ui.forms import DsfrForm


def week_label(week: OfferWeek, *, seats: bool = True) -> str:
    label = gettext("Semaine du %(date)s") % {"date": date_format(week.week_start, "l j F Y")}
    if seats:
        left = week.seats_left
        label += " — " + ngettext("%(count)s place restante", "%(count)s places restantes", left) % {"count": left}
    return label


class WeekChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return week_label(obj)


class WeeksChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return week_label(obj)


class ApplicationForm(DsfrForm):
    """A pupil's application: why this offer, and the weeks she can do."""

    motivation = forms.CharField(
        label=_("Pourquoi cette offre t'intéresse-t-elle ?"),
        min_length=MOTIVATION_MIN,
        max_length=MOTIVATION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    weeks = WeeksChoiceField(
        label=_("Les semaines où tu peux faire ce stage"),
        queryset=OfferWeek.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisis au moins une semaine.")},
    )

    def __init__(self, *args, weeks: list[OfferWeek], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motivation"].help_text = gettext(
            "Entre %(min)s et %(max)s caractères. Présente-toi simplement : ce qui t'attire dans ce métier, ce "
            "que tu aimerais découvrir. N'écris ni ton adresse ni ton numéro de téléphone."
        ) % {"min": MOTIVATION_MIN, "max": MOTIVATION_MAX}
        self.fields["weeks"].queryset = OfferWeek.objects.filter(pk__in=[week.pk for week in weeks]).order_by(
            "week_start"
        )


class AcceptForm(DsfrForm):
    """A manager accepts the application for one of the weeks the pupil asked for."""

    week = WeekChoiceField(
        label=_("Semaine retenue"),
        queryset=OfferWeek.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choisissez la semaine que vous proposez à l'élève.")},
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        weeks = application.weeks.order_by("week_start")
        if application.week_id:  # accepted already: another week is what a manager may propose
            weeks = weeks.exclude(pk=application.week_id)
        self.fields["week"].queryset = weeks


class DeclineForm(DsfrForm):
    reason = forms.ChoiceField(
        label=_("Motif du refus"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le motif du refus.")},
    )
    detail = forms.CharField(
        label=_("Précisions pour l'élève"),
        help_text=_("Obligatoire pour « Autre raison ». L'élève et ses enseignants les lisent."),
        required=False,
        max_length=DECLINE_DETAIL_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == DeclineReason.OTHER and not (cleaned.get("detail") or "").strip():
            self.add_error("detail", _("Précisez la raison du refus pour l'élève."))
        return cleaned


class NoteForm(DsfrForm):
    teacher_note = forms.CharField(
        label=_("Note privée"),
        help_text=_("Visible seulement par l'équipe pédagogique de la classe."),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
