"""An association's dashboard (figures of a school year against its targets), the targets form and the CSV export
for funders' reports. Confirmed staff of the association and platform staff only; a 404 for anyone else."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from backend.follow_up import association_dashboard as board
from backend.follow_up.enums import HelpedChoose, Satisfaction
from backend.offers.exports import csv_response, filename
from backend.organisations.models import Association
from backend.organisations.permissions import can_manage_association
from backend.ui.forms import DsfrForm

YEAR_PARAMETER = "annee"


def _association_or_404(user, pk) -> Association:
    association = get_object_or_404(Association, pk=pk)
    if not can_manage_association(user, association):
        raise Http404
    return association


def _year(request) -> tuple[int, str]:
    """The school year asked for, and the message shown when the value made no sense (then the current year)."""
    year, refused = board.parse_school_year(request.GET.get(YEAR_PARAMETER))
    message = ""
    if refused:
        message = _("L'année scolaire demandée n'est pas proposée : voici l'année %(year)s.") % {
            "year": board.school_year_label(year)
        }
    return year, message


def _year_choices():
    return [(year, board.school_year_label(year)) for year in board.school_year_choices()]


def _key_figures(dashboard: board.Dashboard) -> list[tuple[int, str]]:
    return [
        (dashboard.sessions_held, _("séquences tenues")),
        (dashboard.sessions_upcoming, _("séquences à venir")),
        (dashboard.sessions_cancelled, _("séquences annulées")),
        (dashboard.classes_reached, _("classes touchées")),
        (dashboard.pupils_reached, _("élèves touchés")),
        (dashboard.priority_pupils, _("élèves de l'éducation prioritaire (REP+, REP, QPV)")),
        (dashboard.professionals, _("professionnels mobilisés")),
        (dashboard.tutors, _("tuteurs mobilisés")),
    ]


def _satisfaction_rows(dashboard: board.Dashboard) -> list[dict]:
    return [
        {
            "label": label,
            "summary": summary,
            "notes": [summary.distribution[note] for note in Satisfaction.values],
            "helped": [summary.helped_choose[value] for value in HelpedChoose.values],
            "is_pupils": key.endswith("_pupil"),
        }
        for key, (label, summary) in dashboard.satisfaction.items()
    ]


@require_GET
def association_dashboard(request, pk):
    association = _association_or_404(request.user, pk)
    year, year_error = _year(request)
    dashboard = board.association_dashboard_kept(association, year)
    return render(
        request,
        "follow_up/association_dashboard.html",
        {
            "association": association,
            "dashboard": dashboard,
            "year": year,
            "year_error": year_error,
            "year_choices": _year_choices(),
            "year_parameter": YEAR_PARAMETER,
            "key_figures": _key_figures(dashboard),
            "satisfaction_rows": _satisfaction_rows(dashboard),
            "satisfaction_notes": Satisfaction.choices,
            "page_title": _("Tableau de bord de %(name)s") % {"name": association.name},
        },
    )


class AssociationTargetForm(DsfrForm):
    """The targets of one school year; every count is a whole number ≥ 0, the share a percentage (optional)."""

    school_year = forms.TypedChoiceField(label=gettext_lazy("Année scolaire"), coerce=int)
    sessions = forms.IntegerField(
        label=gettext_lazy("Séquences tenues"),
        min_value=0,
        max_value=100_000,
        help_text=gettext_lazy("Séquences publiées et terminées dans l'année."),
    )
    pupils = forms.IntegerField(
        label=gettext_lazy("Élèves touchés"),
        min_value=0,
        max_value=10_000_000,
        help_text=gettext_lazy("Élèves distincts, par les séquences et le tutorat."),
    )
    priority_pupils_share = forms.IntegerField(
        label=gettext_lazy("Part des élèves de l'éducation prioritaire (%) (facultatif)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=gettext_lazy("REP+, REP ou QPV : un nombre entier de 0 à 100."),
    )
    professionals = forms.IntegerField(
        label=gettext_lazy("Professionnels mobilisés"),
        min_value=0,
        max_value=100_000,
        help_text=gettext_lazy("Professionnels distincts des séquences tenues."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].choices = _year_choices()
        self._bound_fields_cache.clear()


@require_http_methods(["GET", "POST"])
def association_targets(request, pk):
    association = _association_or_404(request.user, pk)
    year, year_error = _year(request)
    target = association.targets.filter(school_year=year).first()
    initial = {"school_year": year}
    if target is not None:
        initial |= {
            "sessions": target.sessions,
            "pupils": target.pupils,
            "priority_pupils_share": target.priority_pupils_share,
            "professionals": target.professionals,
        }
    form = AssociationTargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        board.association_target_set(
            association=association,
            school_year=data["school_year"],
            sessions=data["sessions"],
            pupils=data["pupils"],
            priority_pupils_share=data["priority_pupils_share"],
            professionals=data["professionals"],
            by=request.user,
        )
        label = board.school_year_label(data["school_year"])
        messages.success(request, _("Les objectifs de l'année %(year)s sont enregistrés.") % {"year": label})
        url = reverse("follow_up:association_dashboard", args=[association.pk])
        return redirect(f"{url}?{YEAR_PARAMETER}={data['school_year']}")
    return render(
        request,
        "follow_up/association_targets.html",
        {
            "association": association,
            "form": form,
            "year": year,
            "year_error": year_error,
            "year_parameter": YEAR_PARAMETER,
            "page_title": _("Objectifs de %(name)s") % {"name": association.name},
        },
    )


def _number(value) -> str:
    """A figure as a French spreadsheet reads it (decimal comma); empty when there is none."""
    if value is None:
        return ""
    return str(value).replace(".", ",")


def dashboard_rows(dashboard: board.Dashboard) -> list[list]:
    """The dashboard's tables, one after the other, each with its title and header row."""
    rows: list[list] = [
        [_("Tableau de bord"), dashboard.association.name],
        [_("Année scolaire"), dashboard.school_year_label],
        [_("Données au"), timezone.localtime(dashboard.now).strftime("%d/%m/%Y %H:%M")],
        [],
        [_("Chiffres clés"), _("Nombre")],
        [_("Séquences tenues"), dashboard.sessions_held],
        [_("Séquences à venir"), dashboard.sessions_upcoming],
        [_("Séquences annulées"), dashboard.sessions_cancelled],
        [_("Classes touchées"), dashboard.classes_reached],
        [_("Établissements touchés"), dashboard.schools_reached],
        [_("Élèves touchés"), dashboard.pupils_reached],
        [_("dont par les séquences"), dashboard.pupils_by_sessions],
        [_("dont par le tutorat"), dashboard.pupils_by_tutoring],
        [_("Professionnels mobilisés"), dashboard.professionals],
        [_("Tuteurs mobilisés"), dashboard.tutors],
        [],
        [_("Objectifs"), _("Réalisé"), _("Objectif"), _("Atteint (%)")],
    ]
    for progress in dashboard.progress:
        rows.append([progress.label, _number(progress.achieved), _number(progress.target), _number(progress.percent)])
    rows += [[], [_("Élèves par éducation prioritaire"), _("Élèves"), _("Part (%)")]]
    rows += [[row.label, row.pupils, _number(row.share)] for row in dashboard.by_priority]
    rows += [[], [_("Élèves par département"), _("Élèves"), _("Part (%)")]]
    rows += [[row.label, row.pupils, _number(row.share)] for row in dashboard.by_departement]
    rows += [[], [_("Par domaine professionnel"), _("Séquences tenues"), _("Élèves")]]
    rows += [[row.label, row.sessions, row.pupils] for row in dashboard.by_sector]
    rows += [
        [],
        [_("Présence"), _("Nombre")],
        [_("Séquences — présents"), dashboard.present],
        [_("Séquences — absents"), dashboard.absent],
        [_("Séquences — présence non relevée"), dashboard.not_recorded],
        [_("Séquences — taux d'absence (%)"), _number(dashboard.absence_rate)],
        [_("Tutorat — rendez-vous honorés"), dashboard.tutoring_attended],
        [_("Tutorat — absences"), dashboard.tutoring_no_show],
        [_("Tutorat — taux d'absence (%)"), _number(dashboard.no_show_rate)],
        [],
        [
            _("Satisfaction"),
            _("Réponses"),
            _("Moyenne sur 5"),
            *[_("Note %(note)s") % {"note": note} for note in Satisfaction.values],
            *[_("Aidé à choisir : %(answer)s") % {"answer": label} for label in HelpedChoose.labels],
        ],
    ]
    for label, summary in dashboard.satisfaction.values():
        rows.append(
            [
                label,
                summary.count,
                _number(summary.mean),
                *[summary.distribution[note] for note in Satisfaction.values],
                *[summary.helped_choose[value] for value in HelpedChoose.values],
            ]
        )
    return rows


@require_GET
def association_export_csv(request, pk):
    association = _association_or_404(request.user, pk)
    year, _year_error = _year(request)
    dashboard = board.association_dashboard_kept(association, year)
    return csv_response(
        dashboard_rows(dashboard),
        filename=filename(_("tableau-de-bord"), association.name, board.school_year_label(year)),
    )
