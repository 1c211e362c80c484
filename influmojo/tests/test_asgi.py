"""The ASGI process's interpreter settings (influmojo.asgi), read in a fresh interpreter: importing the module in
the test process would only show what an earlier import left there."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def asgi_switch_interval(**environment) -> float:
    result = subprocess.run(
        [sys.executable, "-c", "import sys, influmojo.asgi; print(sys.getswitchinterval())"],
        cwd=ROOT, env={**{key: value for key, value in os.environ.items() if key != "SOCKET_SWITCH_INTERVAL_MS"},
                       "DJANGO_SETTINGS_MODULE": "influmojo.settings", **environment},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return float(result.stdout)


@pytest.mark.parametrize(("setting", "seconds"), [(None, 0.0005), ("2", 0.002)])  # Python's own: 0.005
def test_an_asgi_process_hands_the_gil_over_at_the_sockets_switch_interval(setting, seconds):
    environment = {"SOCKET_SWITCH_INTERVAL_MS": setting} if setting else {}
    assert asgi_switch_interval(**environment) == pytest.approx(seconds)
