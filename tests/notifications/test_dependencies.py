"""`notifications` knows nothing of the apps that use it, and its outbox and tasks no longer
import each other in a circle (outbox -> tasks -> sending)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "notifications"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_notifications_imports_no_app_that_uses_it():
    for path in APP.rglob("*.py"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            assert top not in {"reporting", "mash", "ops", "contacts"}, (path, module)


def test_the_tasks_do_not_import_the_outbox(tmp_path):
    assert "notifications.outbox" not in imported_modules(APP / "tasks.py")
    assert "notifications.outbox" not in imported_modules(APP / "sending.py")
    code = (
        "import django, sys; django.setup(); import notifications.tasks; "
        "print('notifications.outbox' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(ROOT),
        },
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
