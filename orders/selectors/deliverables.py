"""Reads of deliverable threads (shared with campaign content, so nothing here knows about orders)."""

from django.db.models import QuerySet

from ..models import Submission


def submission_list(*, deliverable_id: int) -> QuerySet[Submission]:
    """Every version of the thread, oldest first, with its files, who submitted it and who decided."""
    return (
        Submission.objects.filter(deliverable_id=deliverable_id)
        .select_related("submitted_by", "decided_by")
        .prefetch_related("files")
        .order_by("version")
    )
