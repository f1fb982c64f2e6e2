from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from backend.accounts import forms, services
from backend.accounts.models import User
from backend.accounts.roles import user_roles


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this once an identifier has failed too often from one address."""
    response = render(
        request, "accounts/locked_out.html", {"page_title": _("Connexion bloquée temporairement")}, status=429
    )
    response["Retry-After"] = "900"
    return response


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = {"page_title": gettext_lazy("Se connecter")}


login_view = login_not_required(LoginView.as_view())
logout_view = auth_views.LogoutView.as_view()


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("ui:home")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.adult_sign_up(
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except services.AccountError as error:
            form.add_error("email", str(error))
        else:
            request.session["signup_email"] = user.email
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "page_title": _("Créer un compte adulte")})


@login_not_required
def signup_done(request):
    return render(
        request,
        "accounts/signup_done.html",
        {"email": request.session.get("signup_email"), "page_title": _("Vérifiez votre boîte e-mail")},
    )


@login_not_required
def verify_email(request, token):
    try:
        user = services.email_verify(token=token)
    except services.AccountError as error:
        return render(
            request,
            "accounts/verify_email.html",
            {"error": str(error), "page_title": _("Lien de confirmation invalide")},
            status=400,
        )
    messages.success(request, _("Votre adresse e-mail est confirmée. Vous pouvez vous connecter."))
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("ui:home")
    return redirect("accounts:login")


@login_not_required
@require_http_methods(["GET", "POST"])
def resend_verification(request):
    form = forms.ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            email__iexact=form.cleaned_data["email"], email_verified_at__isnull=True, is_active=True
        ).first()
        if user is not None:
            with transaction.atomic():
                services.email_verification_send(user=user)
        # Same answer whether or not the address has an account: nobody learns who is registered.
        messages.info(
            request, _("Si un compte attend une confirmation à cette adresse, un nouveau lien vient d'y être envoyé.")
        )
        return redirect("accounts:login")
    return render(
        request,
        "accounts/resend_verification.html",
        {"form": form, "page_title": _("Recevoir un nouveau lien de confirmation")},
    )


@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form_class = forms.PupilProfileForm if user.is_pupil else forms.ProfileForm
    form = form_class(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Vos informations sont enregistrées."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "roles": user_roles(user), "page_title": _("Mon compte")},
    )


@require_http_methods(["GET", "POST"])
def password_change(request):
    form = forms.PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Votre mot de passe est changé."))
        return redirect("ui:home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": request.user.must_change_password, "page_title": _("Changer de mot de passe")},
    )


@require_http_methods(["GET", "POST"])
def tutor_become(request):
    if request.user.is_pupil:
        raise PermissionDenied
    profile = getattr(request.user, "tutor_profile", None)
    form = forms.TutorProfileForm(request.POST or None, initial={"presentation": getattr(profile, "presentation", "")})
    if request.method == "POST" and form.is_valid():
        services.tutor_profile_create(user=request.user, presentation=form.cleaned_data["presentation"])
        messages.success(request, _("Votre profil de tuteur bénévole est enregistré."))
        return redirect("ui:home_tutor")
    return render(
        request,
        "accounts/tutor_become.html",
        {"form": form, "is_tutor": profile is not None, "page_title": _("Devenir tuteur bénévole")},
    )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"page_title": gettext_lazy("Mot de passe oublié")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"page_title": gettext_lazy("Consultez votre boîte e-mail")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"page_title": gettext_lazy("Choisir un nouveau mot de passe")}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"page_title": gettext_lazy("Mot de passe modifié")}


def sign_in(request, user: User) -> None:
    """Opens a session right after an account is created (pupils joining their class)."""
    login(request, user, backend="backend.accounts.backends.IdentifierBackend")
