"""Re-encrypts every stored secret (EncryptedTextField columns, e.g. SocialAccount tokens) with the
newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy, run
this command, then drop the old keys. Rows are read and written as ciphertext (never decrypted into
Python objects) in batches, each batch locked so a sync writing a fresh token is not overwritten.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from influmojo import crypto
from influmojo.fields import EncryptedTextField


def encrypted_fields() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate_model(model, names: list[str], *, batch_size: int) -> tuple[int, int]:
    """(rows changed, values re-encrypted) for one model."""
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    rows = values = 0
    raw = {f"raw_{name}": Cast(name, output_field=TextField()) for name in names}
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            batch = (
                model._default_manager.select_for_update()
                .filter(pk__in=ids[start : start + batch_size])
                .annotate(**raw)
                .values("pk", *raw)
            )
            for row in batch:
                changes = {
                    name: Value(crypto.rotate(row[f"raw_{name}"]), output_field=TextField())
                    for name in names
                    if row[f"raw_{name}"]
                }
                if changes:
                    model._default_manager.filter(pk=row["pk"]).update(**changes)
                    rows, values = rows + 1, values + len(changes)
    return rows, values


class Command(BaseCommand):
    help = "Re-encrypts every encrypted field (OAuth tokens) with the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size: int, **options):
        for model, names in encrypted_fields():
            rows, values = rotate_model(model, names, batch_size=max(1, batch_size))
            label = model._meta.label
            self.stdout.write(f"{label}: re-encrypted {values} value(s) on {rows} row(s) ({', '.join(names)}).")
        self.stdout.write(self.style.SUCCESS("Done. Once every process runs with the new keys, remove the old ones."))
