from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """A text column holding only ciphertext; Python sees the plain value. Not searchable, by design."""

    def from_db_value(self, value, expression, connection):
        return value if not value else crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if not value else crypto.encrypt(value)
