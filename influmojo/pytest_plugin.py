"""Loaded by pytest before Django settings (`-p` in pytest.ini): test-wide environment defaults."""

import os

os.environ.setdefault("INFLUMOJO_TESTING", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
