"""The brand's shortlist pages: /brand/shortlists/ (lists: create, rename, delete) and one list's creators
(note, remove, CSV export). Each write is one service call; a refusal is shown on the page, never a 500.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.onboarding import COUNTRIES
from creators.charts import compact_number
from creators.models import Platform
from creators.selectors.profiles import percent_text
from influmojo.errors import ApplicationError, NotFound

from ..api.shortlists import export_response
from ..selectors import shortlists as selectors
from ..services import shortlists as services

CREATORS_PER_PAGE = 50


def brand_required(view):
    """Signed-in brands only: anonymous visitors go to the login page, other roles get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_brand:
            raise PermissionDenied("Shortlists are for brand accounts.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return wrapped


def _message(error: ApplicationError, field: str) -> str:
    return (error.details.get(field) or [error.message])[0]


def _index(request, *, create_name: str = "", create_error: str = "", rename: dict | None = None, status=200):
    shortlists = list(selectors.shortlist_list(brand=request.user))
    context = {
        "shortlists": shortlists,
        "create_name": create_name,
        "create_error": create_error,
        "rename": rename or {},  # {"id": list id, "name": what was typed, "error": why it was refused}
        "name_max_length": services.NAME_MAX_LENGTH,
        "default_name": services.DEFAULT_NAME,
    }
    return render(request, "brands/shortlist_list.html", context, status=status)


@brand_required
def shortlist_index(request):
    if request.method != "POST":
        return _index(request)
    name = request.POST.get("name", "")
    try:
        shortlist = services.shortlist_create(brand=request.user, name=name)
    except ApplicationError as error:
        return _index(request, create_name=name, create_error=_message(error, "name"))
    messages.success(request, f"List “{shortlist.name}” created. Save creators into it from Discover.")
    return redirect("brand_shortlists")


@brand_required
@require_POST
def shortlist_rename(request, shortlist_id: int):
    name = request.POST.get("name", "")
    try:
        shortlist = services.shortlist_rename(brand=request.user, shortlist_id=shortlist_id, name=name)
    except NotFound:
        raise
    except ApplicationError as error:
        if "name" not in error.details:  # e.g. the default list: it has no rename form to show the error on
            messages.error(request, error.message)
            return redirect("brand_shortlists")
        return _index(request, rename={"id": shortlist_id, "name": name, "error": _message(error, "name")})
    messages.success(request, f"Renamed to “{shortlist.name}”.")
    return redirect("brand_shortlists")


@brand_required
def shortlist_delete(request, shortlist_id: int):
    shortlist = selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id)
    if request.method != "POST":
        return render(request, "brands/shortlist_confirm_delete.html", {"shortlist": shortlist})
    try:
        services.shortlist_delete(brand=request.user, shortlist_id=shortlist.pk)
    except NotFound:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"List “{shortlist.name}” deleted.")
    return redirect("brand_shortlists")


def _shown(row: selectors.ItemRow) -> dict:
    """What the page prints for one creator beside the row itself."""
    words = row.name.split()
    return {
        "item": row,
        "initials": "".join(word[0] for word in words[:2]).upper() or "?",
        "followers": "" if row.followers is None else compact_number(row.followers),
        "engagement": percent_text(row.engagement_rate),
        "country": COUNTRIES.get(row.country, row.country),
        "platforms": ", ".join(Platform(value).label if value in Platform.values else value for value in row.platforms),
    }


def _detail(request, shortlist, *, note: dict | None = None, status=200):
    paginator = Paginator(selectors.shortlist_items(shortlist=shortlist), CREATORS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "shortlist": shortlist,
        "page": page,
        "rows": [_shown(selectors.ItemRow.of(item)) for item in page.object_list],
        "note": note or {},  # {"creator_id", "text", "error"} of a refused note
        "note_max_length": services.NOTE_MAX_LENGTH,
    }
    return render(request, "brands/shortlist_detail.html", context, status=status)


@brand_required
def shortlist_detail(request, shortlist_id: int):
    return _detail(request, selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id))


def _back_to_list(request, shortlist_id: int):
    page = request.POST.get("page", "")
    url = redirect("brand_shortlist", shortlist_id=shortlist_id).url
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@brand_required
@require_POST
def shortlist_note(request, shortlist_id: int, creator_id: int):
    text = request.POST.get("note", "")
    try:
        services.shortlist_item_note_set(brand=request.user, shortlist_id=shortlist_id, creator_id=creator_id, note=text)
    except NotFound:
        raise
    except ApplicationError as error:
        shortlist = selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id)
        note = {"creator_id": creator_id, "text": text, "error": _message(error, "note")}
        return _detail(request, shortlist, note=note)
    messages.success(request, "Note saved.")
    return _back_to_list(request, shortlist_id)


@brand_required
@require_POST
def shortlist_remove(request, shortlist_id: int, creator_id: int):
    row = selectors.shortlist_item_row(brand=request.user, shortlist_id=shortlist_id, creator_id=creator_id)
    services.creator_unsave(brand=request.user, creator_id=creator_id, shortlist_id=shortlist_id)
    messages.success(request, f"{row.name} removed from the list.")
    return _back_to_list(request, shortlist_id)


@brand_required
def shortlist_export(request, shortlist_id: int):
    return export_response(request, selectors.shortlist_get(brand=request.user, shortlist_id=shortlist_id))


urlpatterns = [
    path("brand/shortlists/", shortlist_index, name="brand_shortlists"),
    path("brand/shortlists/<id:shortlist_id>/", shortlist_detail, name="brand_shortlist"),
    path("brand/shortlists/<id:shortlist_id>/rename/", shortlist_rename, name="brand_shortlist_rename"),
    path("brand/shortlists/<id:shortlist_id>/delete/", shortlist_delete, name="brand_shortlist_delete"),
    path("brand/shortlists/<id:shortlist_id>/export.csv", shortlist_export, name="brand_shortlist_export"),
    path(
        "brand/shortlists/<id:shortlist_id>/creators/<id:creator_id>/note/", shortlist_note,
        name="brand_shortlist_note",
    ),
    path(
        "brand/shortlists/<id:shortlist_id>/creators/<id:creator_id>/remove/", shortlist_remove,
        name="brand_shortlist_remove",
    ),
]
