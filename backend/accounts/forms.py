from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import TIME_ZONES
from backend.accounts.models import User
from backend.accounts.tasks import send_email
from backend.ui.forms import DsfrForm, DsfrFormMixin, DsfrModelForm


class LoginForm(DsfrFormMixin, auth_forms.AuthenticationForm):
    username = forms.CharField(
        label=_("Adresse e-mail ou identifiant d'élève"),
        help_text=_("Les élèves se connectent avec l'identifiant reçu en rejoignant leur classe."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("Identifiant ou mot de passe incorrect. Après 5 essais, le compte est bloqué 15 minutes."),
        "inactive": _("Ce compte est désactivé."),
        "unverified": _(
            "Vous devez d'abord confirmer votre adresse e-mail : suivez le lien que nous vous avons envoyé."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_pupil and user.email_verified_at is None and not user.is_staff:
            raise forms.ValidationError(self.error_messages["unverified"], code="unverified")


class PasswordsMixin:
    """Two password inputs checked against each other and against the password validators."""

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif password1:
            candidate = User(
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def password_fields():
    return (
        forms.CharField(
            label=_("Mot de passe"),
            strip=False,
            help_text=_("Au moins 8 caractères, pas uniquement des chiffres, pas un mot de passe courant."),
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
        forms.CharField(
            label=_("Confirmation du mot de passe"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


class SignupForm(PasswordsMixin, DsfrForm):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom de famille"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1, password2 = password_fields()
    time_zone = forms.ChoiceField(
        label=_("Où habitez-vous ?"),
        choices=TIME_ZONES,
        initial="Europe/Paris",
        help_text=_("Les horaires vous seront affichés à l'heure de ce territoire."),
    )
    accept_terms = forms.BooleanField(
        label=_("J'ai lu la page « Données personnelles » et j'accepte les conditions d'utilisation."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "Un compte existe déjà avec cette adresse e-mail. "
                    "Connectez-vous ou réinitialisez votre mot de passe."
                )
            )
        return email


class ResendVerificationForm(DsfrForm):
    email = forms.EmailField(label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ProfileForm(DsfrModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "time_zone"]


class PupilProfileForm(DsfrModelForm):
    class Meta:
        model = User
        fields = ["time_zone"]


class PasswordChangeForm(DsfrFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(DsfrFormMixin, auth_forms.PasswordResetForm):
    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        # Through the task queue, like every e-mail, so that a slow mail server never slows the page.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_email.delay(subject=subject, body=body, to=[to_email])


class SetPasswordForm(DsfrFormMixin, auth_forms.SetPasswordForm):
    pass


class TutorProfileForm(DsfrForm):
    presentation = forms.CharField(
        label=_("Votre présentation aux élèves"),
        max_length=2000,
        help_text=_("Votre parcours, votre métier, ce que vous pouvez apporter. Pas de coordonnées personnelles."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
