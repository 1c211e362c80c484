from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from creators.selectors.profiles import creator_dashboard
from influmojo.errors import ApplicationError

from . import onboarding, profile_forms, services


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


@login_required
def dashboard(request):
    user = request.user
    if user.is_agent:
        return redirect("admin:index")
    context = {"onboarding": onboarding.progress(user)}
    if user.is_brand:
        return render(request, "accounts/dashboard_brand.html", context)
    context["business"] = creator_dashboard(creator=user)
    return render(request, "accounts/dashboard_creator.html", context)


@login_required
def onboarding_resume(request):
    return redirect(onboarding.next_step_url(request.user))


# --- Onboarding wizard ---------------------------------------------------------------------------------
STEP_CLASSES = {"completed": "step done", "skipped": "step skipped"}


def _wizard_steps(user, current: str) -> list[dict]:
    return [
        {
            **item,
            "css": "step current" if item["step"] == current else STEP_CLASSES.get(item["status"], "step"),
            "url": reverse("onboarding_step", kwargs={"step": item["step"]}),
        }
        for item in onboarding.progress(user)["steps"]
    ]


def _step_or_404(user, step: str) -> str:
    if step not in onboarding.steps_for(user):
        raise Http404("No such onboarding step.")
    return step


def _after_onboarding_step(request, user):
    if user.onboarding_completed and not user.onboarding_step:
        messages.success(request, "Your profile is set up.")
    return redirect(onboarding.next_step_url(user))


@login_required
def onboarding_step(request, step):
    """One wizard page: the step's form prefilled with what is saved; POST saves it and moves on."""
    user = request.user
    step = _step_or_404(user, step)
    form_class = profile_forms.STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            user = services.onboarding_save_step(user=user, step=step, data=form.validated_data)
            return _after_onboarding_step(request, user)
    else:
        form = form_class(instance=services.profile_ensure(user=user))
    previous = onboarding.previous_step(user, step)
    context = {
        "form": form,
        "step": step,
        "title": onboarding.TITLES[step],
        "step_number": onboarding.steps_for(user).index(step) + 1,
        "steps": _wizard_steps(user, step),
        "progress": onboarding.progress(user),
        "previous_url": reverse("onboarding_step", kwargs={"step": previous}) if previous else "",
    }
    return render(request, "accounts/onboarding_step.html", context)


@login_required
@require_POST
def onboarding_skip(request, step):
    user = services.onboarding_skip_step(user=request.user, step=_step_or_404(request.user, step))
    return _after_onboarding_step(request, user)


# --- Profile & settings -----------------------------------------------------------------------------------
def _save_account(request):
    form = profile_forms.AccountForm(request.POST)
    if form.is_valid():
        services.profile_update(user=request.user, data=form.validated_data)
        return None
    return form


def _save_avatar(request):
    form = profile_forms.AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.user_set_avatar(user=request.user, file=form.cleaned_data["avatar"])
            return None
        except ApplicationError as error:
            form.add_error("avatar", error.message)
    return form


def _remove_avatar(request):
    services.user_remove_avatar(user=request.user)
    return None


def _save_settings(request):
    form = profile_forms.SettingsForm(request.POST)
    if form.is_valid():
        services.settings_update(user=request.user, data=form.validated_data)
        return None
    return form


# The page's cards each post their own form (hidden input "form"): handler → the form it shows again when invalid.
SETTINGS_ACTIONS = {
    "account": (_save_account, "account_form"),
    "avatar": (_save_avatar, "avatar_form"),
    "remove_avatar": (_remove_avatar, "avatar_form"),
    "settings": (_save_settings, "settings_form"),
}


@login_required
def profile_settings(request):
    """Name, photo, visibility and notifications; each card's POST calls one service."""
    user = request.user
    forms = {
        "account_form": profile_forms.AccountForm(instance=user),
        "avatar_form": profile_forms.AvatarForm(),
        "settings_form": profile_forms.SettingsForm(instance=user),
    }
    if request.method == "POST":
        action = SETTINGS_ACTIONS.get(request.POST.get("form", ""))
        if action is None:
            messages.error(request, "Unknown form.")
            return redirect("profile_settings")
        handler, key = action
        invalid_form = handler(request)
        if invalid_form is None:
            messages.success(request, "Saved.")
            return redirect("profile_settings")
        forms[key] = invalid_form
    return render(request, "accounts/settings.html", forms)
