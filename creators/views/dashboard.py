"""Creator dashboard actions. The dashboard page itself is accounts' `dashboard` view, which reads
`creators.selectors.profiles.creator_dashboard`; this module holds the forms it posts to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from creators.services import profiles as services
from influmojo.errors import ApplicationError


@login_required
@require_POST
def change_slug(request):
    """Moves the creator's public page; the old address keeps redirecting to the new one.

    Posted from the dashboard or from the owner's bar on the page (`return_to=page`), and goes back there.
    """
    back_to_page = request.POST.get("return_to") == "page"
    try:
        profile = services.creator_change_slug(creator=request.user, new_slug=request.POST.get("slug", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        if back_to_page and hasattr(request.user, "creator_profile"):
            return redirect("creator_portfolio", slug=request.user.creator_profile.slug)
        return redirect("dashboard")
    page = reverse("creator_portfolio", kwargs={"slug": profile.slug})
    messages.success(request, f"Your page now lives at {page}. Links to the old address still work.")
    return redirect(page if back_to_page else "dashboard")


urlpatterns = [
    path("creator/page-address/", change_slug, name="creator_change_slug"),
]
