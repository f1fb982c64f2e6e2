import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.api.selectors import own_schools
from backend.schools.enums import Academie, Level, Priority, SchoolKind
from backend.schools.models import School, SchoolClass
from backend.schools.validators import normalise_uai


class SchoolFilter(django_filters.FilterSet):
    academie = django_filters.ChoiceFilter(choices=Academie.choices, label=_("Académie"))
    departement = django_filters.CharFilter(
        field_name="commune__departement_code", label=_("Code du département (75, 2A, 971…)")
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Éducation prioritaire"))
    kind = django_filters.ChoiceFilter(choices=SchoolKind.choices, label=_("Type d'établissement"))
    q = django_filters.CharFilter(method="search", label=_("Nom de l'établissement, ou son numéro UAI"))
    mine = django_filters.BooleanFilter(
        method="filter_mine",
        label=_("Seulement mes établissements (ceux où je suis confirmé·e, ou celui de ma classe)"),
    )

    class Meta:
        model = School
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uai=normalise_uai(value)))

    def filter_mine(self, queryset, name, value):
        mine = own_schools(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


class ClassFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(method="filter_school", label=_("Numéro UAI de l'établissement"))
    school_year = django_filters.NumberFilter(label=_("Année de la rentrée (2026 pour 2026-2027)"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Niveau"))

    class Meta:
        model = SchoolClass
        fields = []

    def filter_school(self, queryset, name, value):
        return queryset.filter(school__uai=normalise_uai(value))
