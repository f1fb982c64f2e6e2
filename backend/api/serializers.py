"""Explicit output and input serializers: what each endpoint says, field by field.

Pupils appear only by their display name (first name and initial) to anyone but themselves.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.enums import TIME_ZONES, ConsentStatus, MembershipStatus, Role
from backend.organisations.enums import AssociationRole, OrganisationRole
from backend.schools.enums import Academie, Level, Priority, SchoolKind, StaffRole
from backend.schools.selectors import current_pupils

# --- Schools -------------------------------------------------------------------------------------------------


class CommuneSerializer(serializers.Serializer):
    insee_code = serializers.CharField(help_text=_("Code officiel géographique de l'INSEE."))
    name = serializers.CharField()
    departement_code = serializers.CharField()


class SchoolSerializer(serializers.Serializer):
    uai = serializers.CharField(help_text=_("Numéro UAI : 7 chiffres et une lettre de contrôle."))
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=SchoolKind.choices)
    commune = CommuneSerializer()
    academie = serializers.ChoiceField(choices=Academie.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, help_text=_("Éducation prioritaire."))
    qpv = serializers.BooleanField(help_text=_("En quartier prioritaire de la politique de la ville."))
    has_segpa = serializers.BooleanField()
    cite_educative = serializers.BooleanField()


class SchoolSummarySerializer(serializers.Serializer):
    uai = serializers.CharField()
    name = serializers.CharField()


# --- Classes -------------------------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    display_name = serializers.CharField()


# A pupil of a class as her teachers see her: first name and initial, and the state of consent.
class RosterPupilSerializer(serializers.Serializer):
    display_name = serializers.CharField(source="pupil.display_name")
    consent_status = serializers.ChoiceField(
        choices=ConsentStatus.choices, source="pupil.pupil_profile.consent_status"
    )


# Needs an `access` (backend.api.permissions.ClassAccess) in its context.
class ClassSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    specialty = serializers.CharField(help_text=_("Pour le CAP et le bac pro ; vide sinon."))
    school_year = serializers.IntegerField(help_text=_("L'année de la rentrée : 2026 pour 2026-2027."))
    school = SchoolSummarySerializer()
    teachers = PersonSerializer(many=True)
    pupil_count = serializers.IntegerField(help_text=_("Élèves actuellement dans la classe."))
    archived_at = serializers.DateTimeField(allow_null=True)
    join_code = serializers.SerializerMethodField(
        help_text=_(
            "Code pour rejoindre la classe : pour ses enseignants et la direction de l'établissement, null sinon."
        )
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_join_code(self, school_class) -> str | None:
        return school_class.join_code if self.context["access"].may_see_join_code(school_class) else None


class ClassDetailSerializer(ClassSerializer):
    pupils = serializers.SerializerMethodField(
        help_text=_(
            "Les élèves actuels : pour les enseignants de la classe, la direction de l'établissement et "
            "l'équipe de la plateforme ; null pour les autres."
        )
    )

    @extend_schema_field(RosterPupilSerializer(many=True, allow_null=True))
    def get_pupils(self, school_class):
        if not self.context["access"].may_see_roster(school_class):
            return None
        return RosterPupilSerializer(current_pupils(school_class), many=True).data


# --- The caller ------------------------------------------------------------------------------------------------


class CurrentClassSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    school_year = serializers.IntegerField()
    school = SchoolSummarySerializer()


class PupilSerializer(serializers.Serializer):
    consent_status = serializers.ChoiceField(choices=ConsentStatus.choices)
    current_class = CurrentClassSerializer(allow_null=True)


class SchoolMembershipSerializer(serializers.Serializer):
    school = SchoolSummarySerializer()
    role = serializers.ChoiceField(choices=StaffRole.choices)
    status = serializers.ChoiceField(choices=MembershipStatus.choices)


class OrganisationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrganisationMembershipSerializer(serializers.Serializer):
    organisation = OrganisationSummarySerializer()
    role = serializers.ChoiceField(choices=OrganisationRole.choices)
    status = serializers.ChoiceField(choices=MembershipStatus.choices)


class AssociationMembershipSerializer(serializers.Serializer):
    association = OrganisationSummarySerializer()
    role = serializers.ChoiceField(choices=AssociationRole.choices)
    status = serializers.ChoiceField(choices=MembershipStatus.choices)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(
        help_text=_("Le nom montré aux autres : prénom et initiale pour les élèves, nom complet pour les adultes.")
    )
    first_name = serializers.CharField()
    last_name = serializers.CharField(help_text=_("Visible de la personne elle-même ; jamais d'autrui pour un élève."))
    email = serializers.EmailField(allow_null=True, help_text=_("Null pour les élèves, qui n'en donnent pas."))
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        help_text=_("Les rôles confirmés, du plus au moins prioritaire."),
    )
    time_zone = serializers.ChoiceField(choices=TIME_ZONES)
    pupil = PupilSerializer(allow_null=True, help_text=_("Pour les élèves seulement, null sinon."))
    school_memberships = SchoolMembershipSerializer(many=True)
    organisation_memberships = OrganisationMembershipSerializer(many=True)
    association_memberships = AssociationMembershipSerializer(many=True)


# --- Tokens ----------------------------------------------------------------------------------------------------


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text=_("L'adresse e-mail du compte."))
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("À envoyer dans l'en-tête « Authorization: Token <jeton> »."))
