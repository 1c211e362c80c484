"""What every payments service shares: the system actor, the transition check, new idempotency keys, and
queueing a task once the transaction commits."""

import uuid

from django.db import transaction

from influmojo.errors import InvalidTransition
from influmojo.permissions import Actor

SYSTEM = Actor.system()


def check_transition(table: dict, *, what: str, current: str, to: str, actor: Actor) -> None:
    """Raise InvalidTransition (409) unless `table` lets `actor` move `what` from `current` to `to`."""
    allowed = table.get((current, to))
    if allowed is None:
        raise InvalidTransition(f"Cannot move {what} from {current} to {to}.",
                                details={"from": current, "to": to})
    if actor.role not in allowed:
        raise InvalidTransition(f"A {actor.role} cannot move {what} from {current} to {to}.",
                                details={"from": current, "to": to, "role": actor.role})


def apply_transition(instance, *, to: str, actor: Actor, what: str, **changes):
    """Check and save one status change of a row the caller holds locked (select_for_update in this
    transaction), with the other fields that change with it."""
    check_transition(type(instance).TRANSITIONS, what=what, current=instance.status, to=to, actor=actor)
    instance.status = to
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save(update_fields=["status", *changes, "updated_at"])
    return instance


def new_key(kind: str) -> str:
    """An outbound idempotency key, stored on its row and sent with every retry of that row's call. Random, not
    the row's id, so a test database that starts again at id 1 never replays an old call at the provider."""
    return f"{kind}-{uuid.uuid4().hex}"


def queue_on_commit(task, *args) -> None:
    """`task.delay(*args)` once this transaction commits. `robust`: a broker hiccup (or, with eager Celery, a
    failing task) is logged instead of failing the request that already committed; the beat sweep re-queues."""
    transaction.on_commit(lambda: task.delay(*args), robust=True)
