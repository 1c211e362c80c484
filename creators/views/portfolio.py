"""The public creator page (media kit) at /p/<slug>/: no sign-in, shareable, previews well as a link."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.text import Truncator

from creators.selectors import profiles as selectors
from influmojo.errors import NotFound

OG_DESCRIPTION_LENGTH = 200


def _hire_mode(request, page: selectors.CreatorPublicProfile) -> str:
    """What the package buttons do for this viewer: brands add to their cart, visitors sign up as a brand."""
    user = request.user
    if page.is_owner:
        return "owner"
    if not user.is_authenticated:
        return "signup"
    return "brand" if user.is_brand else "other"


def _og_description(page: selectors.CreatorPublicProfile) -> str:
    categories = " & ".join(label for _, label in page.categories[:2])
    who = f"{categories} creator" if categories else "Creator"
    if page.profile.city:
        who += f" in {page.profile.city}"
    parts = [who + "."]
    if page.total_followers:
        platforms = ", ".join(channel.platform_label for channel in page.channels[:3])
        parts.append(f"{page.total_followers_display} followers on {platforms}.")
    if page.rating.count:
        reviews = "review" if page.rating.count == 1 else "reviews"
        parts.append(f"Rated {page.rating.average}/5 from {page.rating.count} {reviews}.")
    if page.profile.bio:
        parts.append(page.profile.bio)
    return Truncator(" ".join(parts)).chars(OG_DESCRIPTION_LENGTH)


def portfolio(request, slug: str):
    if slug != slug.lower():
        return redirect("creator_portfolio", slug=slug.lower(), permanent=True)
    try:
        page = selectors.creator_public_profile(slug=slug, viewer=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    if isinstance(page, selectors.SlugMoved):
        return redirect("creator_portfolio", slug=page.slug, permanent=True)

    page_url = request.build_absolute_uri(reverse("creator_portfolio", kwargs={"slug": page.profile.slug}))
    avatar = page.user.avatar
    image = request.build_absolute_uri(avatar.url if avatar else static("img/og-default.png"))
    context = {
        "page": page,
        "hire_mode": _hire_mode(request, page),
        "signup_url": f"{reverse('account_signup')}?{urlencode({'as': 'brand', 'next': request.path})}",
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        "og": {
            "title": f"{page.display_name} · Media kit on Influmojo",
            "description": _og_description(page),
            "image": image,
            "image_alt": f"{page.display_name}'s photo" if avatar else "Influmojo",
            "url": page_url,
        },
    }
    return render(request, "creators/portfolio.html", context)


urlpatterns = [
    path("p/<slug:slug>/", portfolio, name="creator_portfolio"),
]
