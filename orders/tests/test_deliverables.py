"""orders.services.deliverables: versions, decisions and who may make them — with no order in sight, as the
campaigns app will use it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound
from influmojo.permissions import Actor
from orders.models import Submission
from orders.selectors.deliverables import submission_list
from orders.services import deliverables

pytestmark = pytest.mark.django_db
D = Submission.Decision


@pytest.fixture
def thread():
    return deliverables.deliverable_create(creator=CreatorUserFactory(), reviewer=BrandUserFactory())


def submit(thread, **values):
    values.setdefault("links", ["https://www.tiktok.com/@me/video/1"])
    return deliverables.submission_create(deliverable_id=thread.pk, submitted_by=thread.creator, **values)


def test_versions_are_numbered_and_kept_with_their_decisions(thread):
    reviewer = Actor.of(thread.reviewer)
    first = submit(thread, message="Cut 1", files=[SimpleUploadedFile("script.txt", b"Scene one")])
    deliverables.submission_decide(submission_id=first.pk, decision=D.REVISION_REQUESTED, actor=reviewer,
                                   feedback="Shorter intro")
    second = submit(thread, message="Cut 2")
    deliverables.submission_decide(submission_id=second.pk, decision=D.APPROVED, actor=reviewer)

    versions = list(submission_list(deliverable_id=thread.pk))
    assert [(v.version, v.decision, v.feedback) for v in versions] == [
        (1, D.REVISION_REQUESTED, "Shorter intro"), (2, D.APPROVED, "")]
    assert versions[0].files.get().content_type == "text/plain" and versions[1].decided_by == thread.reviewer


def test_one_version_waits_for_a_decision_at_a_time(thread):
    submit(thread)

    with pytest.raises(Conflict) as refused:
        submit(thread)

    assert refused.value.code == "submission_pending"


def test_a_submission_carries_the_work(thread):
    with pytest.raises(ApplicationError) as empty:
        submit(thread, links=[], message="Trust me")
    assert empty.value.code == "submission_empty"
    for link in ("http://insecure.test/x", "javascript:alert(1)", "https://", "ftp://x.test/f"):
        with pytest.raises(ApplicationError):
            submit(thread, links=[link])
    with pytest.raises(ApplicationError):
        submit(thread, links=[f"https://x.test/{n}" for n in range(11)])


def test_only_the_threads_creator_submits(thread):
    with pytest.raises(NotFound):
        deliverables.submission_create(deliverable_id=thread.pk, submitted_by=CreatorUserFactory(),
                                       links=["https://x.test/1"])


def test_decisions_follow_the_table_and_come_from_the_reviewer(thread):
    version = submit(thread)

    with pytest.raises(NotFound):
        deliverables.submission_decide(submission_id=version.pk, decision=D.APPROVED,
                                       actor=Actor.of(BrandUserFactory()))
    with pytest.raises(InvalidTransition):  # the creator is not the reviewer's role
        deliverables.submission_decide(submission_id=version.pk, decision=D.APPROVED,
                                       actor=Actor(user=thread.reviewer, role="creator"))
    with pytest.raises(InvalidTransition):  # agents supersede or approve, they do not ask for revisions
        deliverables.submission_decide(submission_id=version.pk, decision=D.REVISION_REQUESTED,
                                       actor=Actor.of(AgentFactory()), feedback="x")
    with pytest.raises(ApplicationError):
        deliverables.submission_decide(submission_id=version.pk, decision=D.REJECTED,
                                       actor=Actor.of(thread.reviewer))
    deliverables.submission_decide(submission_id=version.pk, decision=D.REJECTED, actor=Actor.of(thread.reviewer),
                                   feedback="Off brief")
    with pytest.raises(InvalidTransition):
        deliverables.submission_decide(submission_id=version.pk, decision=D.APPROVED,
                                       actor=Actor.of(thread.reviewer))


def test_the_owner_supersedes_a_waiting_version_when_it_moves_on(thread):
    version = submit(thread)

    deliverables.submission_supersede_pending(deliverable_id=thread.pk, actor=Actor.system())

    version.refresh_from_db()
    assert version.decision == D.SUPERSEDED
    assert deliverables.submission_supersede_pending(deliverable_id=thread.pk, actor=Actor.system()) is None
