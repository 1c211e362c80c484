"""Background jobs of the creators app: syncing social accounts.

Tasks take ids, call one service and are safe to run twice (a day's snapshot is updated, not added).
"""

import logging
import random

from celery import shared_task
from django.conf import settings

from creators.platforms import PlatformError, RateLimited
from creators.selectors import social as social_selectors
from creators.services import social as social_services

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Longer waits (a daily quota) are left to the next scheduled run: a broker holding an ETA task for
# hours redelivers it when its visibility timeout runs out.
MAX_RETRY_COUNTDOWN = 60 * 60
# Accounts are spread over this share of the period, so one run ends before the next begins.
SPREAD_SHARE = 0.9


def backoff(retries: int) -> int:
    """1, 2, 4, 8… minutes plus up to 30 s of jitter, at most an hour."""
    return min(MAX_RETRY_COUNTDOWN, 60 * 2**retries + random.randint(0, 30))


@shared_task(bind=True, name="creators.tasks.sync_social_account", max_retries=MAX_RETRIES)
def sync_social_account(self, account_id: int) -> None:
    try:
        social_services.social_account_sync(account_id=account_id)
    except RateLimited as exc:
        _retry(self, account_id, exc, countdown=max(exc.retry_after, backoff(self.request.retries)))
    except PlatformError as exc:  # only transient ones are raised by the service
        _retry(self, account_id, exc, countdown=backoff(self.request.retries))


def _retry(task, account_id: int, exc: PlatformError, *, countdown: int) -> None:
    if task.request.retries >= task.max_retries or countdown > MAX_RETRY_COUNTDOWN:
        social_services.social_account_sync_gave_up(
            account_id=account_id,
            message=f"{social_services.sentence(exc.message)} The next scheduled sync will try again.",
        )
        return
    raise task.retry(exc=exc, countdown=countdown)


@shared_task(name="creators.tasks.sync_connected_accounts")
def sync_connected_accounts() -> dict:
    """Beat job: queues every connected account once, spread evenly over the sync period.

    Accounts go in batches (marked "queued" together); one that cannot be queued, or whose sync
    fails, never stops the others.
    """
    # Ids first (a few MB for 100k accounts): the syncs below change the column the query orders by.
    ids = list(social_selectors.social_account_ids_to_sync())
    if not ids:
        return {"queued": 0, "failed": 0}
    spacing = settings.SOCIAL_SYNC_PERIOD_SECONDS * SPREAD_SHARE / len(ids)
    batch_size = max(1, settings.SOCIAL_SYNC_BATCH_SIZE)
    queued = failed = 0
    for start in range(0, len(ids), batch_size):
        done, errors = _queue_batch(ids[start : start + batch_size], first_position=start, spacing=spacing)
        queued, failed = queued + done, failed + errors
    return {"queued": queued, "failed": failed}


def _queue_batch(account_ids: list[int], *, first_position: int, spacing: float) -> tuple[int, int]:
    social_services.social_accounts_mark_queued(account_ids=account_ids)
    queued = failed = 0
    for offset, account_id in enumerate(account_ids):
        try:
            sync_social_account.apply_async(args=[account_id], countdown=int((first_position + offset) * spacing))
            queued += 1
        except Exception:
            # The broker refused, or (run inline) the sync itself raised: its attempt is already recorded.
            logger.exception("sync of social account %s could not run", account_id)
            failed += 1
    return queued, failed
