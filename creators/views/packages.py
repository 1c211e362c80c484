"""The creator's package pages: list, create, edit, activate/deactivate.

The form only carries the browser's values: PackageSerializer (creators.api.packages) validates them,
through accounts.profile_forms.SerializerForm, and each write is one service call.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts import onboarding
from influmojo.errors import ApplicationError, NotFound
from influmojo.forms import SerializerForm, number_field, raw_field, select_field
from influmojo.permissions import Actor

from ..api.packages import PackageSerializer
from ..models import ContentType, Platform
from ..selectors import packages as selectors
from ..services import packages as services

CONTENT_TYPES_BY_PLATFORM = "; ".join(
    f"{Platform(platform).label}: {', '.join(ContentType(value).label.lower() for value in types)}"
    for platform, types in services.PLATFORM_CONTENT_TYPES.items()
)


class PackageForm(SerializerForm):
    serializer_class = PackageSerializer

    title = raw_field(label="Title", help_text='What brands buy, e.g. "1 reel with product demo".', wide=True)
    platform = select_field(dict(Platform.choices))
    content_type = select_field(dict(ContentType.choices), label="Content type", help_text=CONTENT_TYPES_BY_PLATFORM)
    price = number_field(step="0.01", label="Price")
    currency = select_field(onboarding.CURRENCIES)
    quantity = number_field(label="Quantity", help_text="Pieces of content, 1 to 100.")
    revisions = number_field(label="Revisions included", help_text="0 to 20 rounds of changes.")
    duration_days = number_field(label="Delivery time (days)", help_text="1 to 365; leave empty if open.")
    description = raw_field(
        forms.Textarea(attrs={"rows": 4}), help_text="What is included, usage rights, what you need from the brand.",
        wide=True,
    )


def creator_required(view):
    """Signed-in creators only; other roles go back to their dashboard with a message."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_creator:
            messages.error(request, "Packages are for creator accounts.")
            return redirect("dashboard")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _owned_or_404(request, package_id: int):
    try:
        return selectors.package_get_for_owner(package_id=package_id, actor=Actor.of(request.user))
    except NotFound as error:
        raise Http404(error.message) from error


def _save(form: PackageForm, write) -> bool:
    """Runs the service `write(data)` for a valid form; a refusal lands on the field it names."""
    if not form.is_valid():
        return False
    try:
        write(form.validated_data)
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        fields = [name for name in error.details if name in form.fields]
        form.add_error(fields[0] if fields else None, error.message)
        return False
    return True


@creator_required
def package_list(request):
    packages = list(selectors.package_list_for_owner(actor=Actor.of(request.user)))
    active = [package for package in packages if package.is_active]
    inactive = [package for package in packages if not package.is_active]
    return render(request, "creators/packages.html", {"active": active, "inactive": inactive})


@creator_required
def package_create(request):
    actor = Actor.of(request.user)
    form = PackageForm(request.POST or None, initial={"quantity": 1, "revisions": 1, "currency": "USD"})
    if request.method == "POST" and _save(form, lambda data: services.package_create(actor=actor, data=data)):
        messages.success(request, f"“{form.validated_data['title']}” is on sale.")
        return redirect("creator_packages")
    return render(request, "creators/packages_form.html", {"form": form, "package": None})


@creator_required
def package_edit(request, package_id: int):
    actor = Actor.of(request.user)
    package = _owned_or_404(request, package_id)
    if request.method == "POST":
        form = PackageForm(request.POST, context={"package": package})
        if _save(form, lambda data: services.package_update(package_id=package.pk, actor=actor, data=data)):
            messages.success(request, "Package saved.")
            return redirect("creator_packages")
    else:
        form = PackageForm(instance=package)
    return render(request, "creators/packages_form.html", {"form": form, "package": package})


def _switch(service, done: str):
    @creator_required
    @require_POST
    def view(request, package_id: int):
        try:
            package = service(package_id=package_id, actor=Actor.of(request.user))
        except NotFound as error:
            raise Http404(error.message) from error
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"“{package.title}” {done}.")
        return redirect("creator_packages")

    return view


package_activate = _switch(services.package_activate, "is on sale again")
package_deactivate = _switch(services.package_deactivate, "is no longer on sale")

urlpatterns = [
    path("creator/packages/", package_list, name="creator_packages"),
    path("creator/packages/new/", package_create, name="creator_package_create"),
    path("creator/packages/<id:package_id>/edit/", package_edit, name="creator_package_edit"),
    path("creator/packages/<id:package_id>/activate/", package_activate, name="creator_package_activate"),
    path("creator/packages/<id:package_id>/deactivate/", package_deactivate, name="creator_package_deactivate"),
]
