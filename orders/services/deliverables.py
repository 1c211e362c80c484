"""Deliverables: a thread of submitted versions and the reviewer's decision on each.

This module knows nothing about orders (campaign content will reuse it): the owner of a Deliverable (an
Order today) calls these functions and moves its own status after each submission or decision.

- `deliverable_create`: a new, empty thread between a creator and a reviewer.
- `submission_create`: the creator submits the next version (message, https links, files); at most one
  version waits for a decision at a time (also a unique constraint).
- `submission_decide`: the one door over Submission.TRANSITIONS (approve, revision_requested, rejected,
  superseded); a person deciding must be the thread's reviewer, the system, an agent or an admin.
- `submission_supersede_pending`: the owner moved on without a decision (cancelled, resolved by an agent).
Versions are read through orders.selectors.deliverables.submission_list.
"""

from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound
from influmojo.permissions import Actor

from ..models import Deliverable, Submission, SubmissionFile
from .files import check_uploads

LINKS_MAX = 10
LINK_MAX_LENGTH = 500
MESSAGE_MAX_LENGTH = Submission._meta.get_field("message").max_length
FEEDBACK_MAX_LENGTH = Submission._meta.get_field("feedback").max_length


def deliverable_create(*, creator, reviewer) -> Deliverable:
    return Deliverable.objects.create(creator=creator, reviewer=reviewer)


def clean_links(links) -> list[str]:
    """The submitted links: https URLs with a host, each once, at most LINKS_MAX."""
    cleaned: list[str] = []
    for link in links or []:
        link = str(link).strip()
        if not link:
            continue
        parts = urlsplit(link)
        if parts.scheme != "https" or not parts.hostname or len(link) > LINK_MAX_LENGTH or " " in link:
            message = f"Links must be https:// addresses of at most {LINK_MAX_LENGTH} characters: {link[:80]}"
            raise ApplicationError(message, code="invalid_link", details={"links": [message]})
        if link not in cleaned:
            cleaned.append(link)
    if len(cleaned) > LINKS_MAX:
        raise ApplicationError(f"Share at most {LINKS_MAX} links.", code="too_many_links",
                               details={"links": [f"At most {LINKS_MAX}."]})
    return cleaned


def submission_create(*, deliverable_id: int, submitted_by, message: str = "", links=(), files=()) -> Submission:
    """The next version of the work. Runs inside the owner's transaction (it locks the thread).

    Refuses (400) a submission with neither files nor links, and (409 `submission_pending`) a new version
    while the previous one still waits for a decision. Files are checked (size, number, sniffed type).
    """
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(f"Keep the message under {MESSAGE_MAX_LENGTH} characters.", code="message_too_long",
                               details={"message": ["Too long."]})
    links = clean_links(links)
    checked = check_uploads(files)
    if not links and not checked:
        raise ApplicationError("Attach the work: at least one file or link.", code="submission_empty",
                               details={"files": ["Attach a file or share a link."]})
    with transaction.atomic():
        deliverable = Deliverable.objects.select_for_update().filter(pk=deliverable_id).first()
        if deliverable is None:
            raise NotFound("Deliverable not found.")
        if submitted_by != deliverable.creator:
            raise NotFound("Deliverable not found.")
        submissions = Submission.objects.filter(deliverable=deliverable)
        if submissions.filter(decision=Submission.Decision.PENDING).exists():
            raise Conflict("The last version is still waiting for a decision.", code="submission_pending")
        version = (submissions.aggregate(last=Max("version"))["last"] or 0) + 1
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    deliverable=deliverable, version=version, message=message, links=links,
                    submitted_by=submitted_by,
                )
        except IntegrityError:  # the thread is locked, so only a caller that skipped the lock gets here
            raise Conflict("Another version was just submitted.", code="submission_pending") from None
        for upload in checked:
            SubmissionFile.objects.create(submission=submission, file=upload.content, name=upload.name,
                                          size=upload.size, content_type=upload.content_type)
        deliverable.save(update_fields=["updated_at"])
    return submission


@transaction.atomic
def submission_decide(*, submission_id: int, decision: str, actor: Actor, feedback: str = "") -> Submission:
    """Decides a pending version; the one door over Submission.TRANSITIONS.

    revision_requested and rejected need feedback. A person deciding must be the thread's reviewer
    (agents, admins and the system decide for anyone).
    """
    submission = Submission.objects.select_for_update().select_related("deliverable").filter(pk=submission_id).first()
    if submission is None:
        raise NotFound("Submission not found.")
    if actor.role not in {"system", "agent", "admin"} and actor.user != submission.deliverable.reviewer:
        raise NotFound("Submission not found.")
    allowed = Submission.TRANSITIONS.get((submission.decision, decision))
    if allowed is None or actor.role not in allowed:
        raise InvalidTransition(f"cannot move version {submission.version} from {submission.decision} to {decision}"
                                f" as {actor.role}")
    feedback = (feedback or "").strip()
    if decision in (Submission.Decision.REVISION_REQUESTED, Submission.Decision.REJECTED) and not feedback:
        raise ApplicationError("Say what should change.", code="feedback_required",
                               details={"feedback": ["Required."]})
    if len(feedback) > FEEDBACK_MAX_LENGTH:
        raise ApplicationError(f"Keep the feedback under {FEEDBACK_MAX_LENGTH} characters.", code="feedback_too_long",
                               details={"feedback": ["Too long."]})
    submission.decision = decision
    submission.feedback = feedback
    submission.decided_by = actor.user
    submission.decided_at = timezone.now()
    submission.save(update_fields=["decision", "feedback", "decided_by", "decided_at", "updated_at"])
    return submission


def submission_pending(*, deliverable_id: int) -> Submission | None:
    return Submission.objects.filter(deliverable_id=deliverable_id, decision=Submission.Decision.PENDING).first()


def submission_decide_pending(*, deliverable_id: int, decision: str, actor: Actor, feedback: str = "") -> Submission:
    """Decides the version waiting for a decision; 409 `no_pending_submission` when there is none."""
    pending = submission_pending(deliverable_id=deliverable_id)
    if pending is None:
        raise Conflict("There is no version waiting for a decision.", code="no_pending_submission")
    return submission_decide(submission_id=pending.pk, decision=decision, actor=actor, feedback=feedback)


def submission_supersede_pending(*, deliverable_id: int, actor: Actor) -> Submission | None:
    """The owner moved on (cancelled, resolved) without deciding: the waiting version, if any, is superseded."""
    pending = submission_pending(deliverable_id=deliverable_id)
    if pending is None:
        return None
    return submission_decide(submission_id=pending.pk, decision=Submission.Decision.SUPERSEDED, actor=actor)
