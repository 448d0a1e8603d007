"""The audit trail has one vocabulary, `mash.models.AuditAction`: every action the code writes
is declared there, each declared action is written somewhere, and the writer refuses any other.
"""

import ast
from pathlib import Path

import pytest

from mash import audit
from mash.models import AuditAction, AuditEvent

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "contacts", "reporting", "mash", "notifications", "ops")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _record_calls(tree):
    """Every call to `record(...)` / `audit.record(...)` in a module, with its action node."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name != "record":
            continue
        action = next((k.value for k in node.keywords if k.arg == "action"), None)
        yield node, action


def _written_actions():
    """(where, action node) for each audit write in the project's code."""
    for path in _sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for call, action in _record_calls(tree):
            yield f"{path.relative_to(ROOT)}:{call.lineno}", action


def test_the_scan_finds_the_audit_writes():
    """The scan below is not vacuous: it sees the writes spread over the views and services."""
    places = {where.split(":")[0] for where, _ in _written_actions()}
    assert {"mash/audit.py", "mash/access.py", "mash/screening.py", "mash/services.py"} <= places
    assert len(places) >= 10


def test_every_written_action_is_a_declared_audit_action():
    """Each write names its action as `AuditAction.<MEMBER>` (no free text, no local constant),
    except `audit.record`'s own pass-through."""
    wrong = []
    for where, action in _written_actions():
        if where.startswith("mash/audit.py") and isinstance(action, ast.Name):
            continue  # record() passing its own argument on
        if not (
            isinstance(action, ast.Attribute)
            and isinstance(action.value, ast.Name)
            and action.value.id == "AuditAction"
            and action.attr in AuditAction.__members__
        ):
            wrong.append(f"{where}: {ast.unparse(action) if action else 'no action'}")
    assert wrong == []


def test_every_declared_action_is_written_somewhere():
    written = {action.attr for _, action in _written_actions() if isinstance(action, ast.Attribute)}
    assert set(AuditAction.__members__) - written == set()


def test_one_name_means_one_thing():
    """Values and labels are unique (two views once wrote two actions under one name)."""
    assert len({a.value for a in AuditAction}) == len(AuditAction)
    assert len({a.label for a in AuditAction}) == len(AuditAction)


def test_the_writer_refuses_an_undeclared_action(db):
    with pytest.raises(ValueError):
        audit.record(action="referral_peeked_at", username="someone")
    assert not AuditEvent.objects.exists()


def test_the_writer_takes_the_declared_value(db):
    event = audit.record(action="login_failed", username="ghost")
    assert event.action == AuditAction.LOGIN_FAILED
    event.refresh_from_db()
    assert event.get_action_display() == "Sign-in failed"
