"""The image's collectstatic step runs the production settings (DEBUG off) with throwaway values: each setting
that production requires must get one there, or `docker build` fails at that step."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collectstatic_step_environment() -> dict[str, str]:
    """The `NAME=value` assignments of the Dockerfile's RUN line that runs collectstatic, plus its ENV lines."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    (step,) = [line for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line]
    environment = dict(re.findall(r"(\b[A-Z_]+)=(\S+)", text.split("\nRUN ")[0]))  # the ENV block before any RUN
    environment.update(re.findall(r"(\b[A-Z_]+)=(\S+)", step.split("python manage.py collectstatic")[0]))
    return environment


def test_the_image_build_step_can_collect_static_files():
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DJANGO_", "DATABASE_", "STRIPE_", "FIELD_", "PAYMENTS_", "PYTEST"))}
    environment.update(collectstatic_step_environment())
    assert environment["DJANGO_DEBUG"] == "false"

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,  # --dry-run: nothing written
    )

    assert result.returncode == 0, result.stderr[-2000:]


def test_daphne_never_pings_a_socket_whose_page_pings_it():
    """daphne pings a socket silent for --ping-interval seconds: longer than the pages' own ping, so only dead or
    silent sockets get its pings (every socket, in bursts, at its default of 20 s)."""
    text = (ROOT / "Dockerfile").read_text()
    (command,) = re.findall(r"^CMD (\[.*\])$", text, re.MULTILINE)
    args = json.loads(command)
    interval = float(args[args.index("--ping-interval") + 1])
    for page in ("chat.js", "notifications.js"):
        page_ping_ms = int(re.search(r"const PING_MS = (\d+);", (ROOT / "static/js" / page).read_text()).group(1))
        assert interval >= page_ping_ms / 1000 + 10, page  # room for a late timer
