"""Encryption at rest for secrets we must store (OAuth tokens): Fernet with rotatable keys.

FIELD_ENCRYPTION_KEYS is a list of Fernet keys, newest first. New values are encrypted with the
first; any listed key decrypts. To rotate: put a new key first, run `manage.py rotate_field_keys`,
then drop the old key.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def derived_local_key(secret: str) -> str:
    """A stable key for local runs and tests, derived from SECRET_KEY; production sets its own keys."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"influmojo-field-encryption", info=b"v1").derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw).decode()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS") from exc


def rotate(token: str) -> str:
    """Re-encrypts with the newest key."""
    return fernet().rotate(token.encode()).decode()
