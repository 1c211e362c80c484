from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import onboarding


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


@login_required
def dashboard(request):
    user = request.user
    if user.is_agent:
        return redirect("admin:index")
    template = "accounts/dashboard_brand.html" if user.is_brand else "accounts/dashboard_creator.html"
    return render(request, template, {"onboarding": onboarding.progress(user)})


@login_required
def onboarding_resume(request):
    return redirect(onboarding.next_step_url(request.user))


@login_required
def onboarding_step(request, step):
    raise NotImplementedError("onboarding wizard: being written")
