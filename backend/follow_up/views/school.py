"""The school head's follow-up page: her school's classes and their progress toward an internship for every pupil,
and the agreements to sign. Reads in `backend.follow_up.school_follow_up`."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.follow_up import charts
from backend.follow_up import school_follow_up as selectors
from backend.schools.models import School
from backend.schools.validators import normalise_uai


@require_GET
def school_follow_up(request, uai):
    school = get_object_or_404(School.objects.select_related("commune"), uai=normalise_uai(uai))
    if not selectors.can_follow_school(request.user, school):
        raise Http404
    today = timezone.localdate(timezone.now(), timezone=timezone.get_current_timezone())
    rows = selectors.school_classes_progress(school, today=today)
    counted = [row for row in rows if row.progress != selectors.Progress.NO_INTERNSHIP]
    chart = charts.bar_chart(
        chart_id="chart-progress",
        title=_("Élèves avec un stage confirmé, par classe (en %)"),
        rows=[(row.school_class.name, row.share) for row in counted],
        unit="%",
        label_heading=_("Classe"),
        value_heading=_("Élèves avec un stage confirmé (%)"),
        maximum=100,
    )
    return render(
        request,
        "follow_up/school_follow_up.html",
        {
            "school": school,
            "rows": rows,
            "summary": selectors.school_summary(school, rows),
            "chart": chart if counted else None,
            "late_within_days": selectors.LATE_WITHIN_DAYS,
            "progress": selectors.Progress,
            "page_title": _("Suivi de l'établissement — %(name)s") % {"name": school.name},
        },
    )
