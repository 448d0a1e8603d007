"""compose's backup job (scripts/backup.sh): a real pg_dump of the test database, checked with
pg_restore, and dumps older than the retention period deleted."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import _missing

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backup.sh"
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_one_backup_is_written_checked_and_old_ones_go(tmp_path):
    if not shutil.which("pg_dump"):
        _missing("needs pg_dump", "REQUIRE_POSTGRES")
    params = connection.settings_dict
    old = tmp_path / f"{params['NAME']}-20200101T020000Z.dump"
    old.write_bytes(b"old")
    twenty_days = time.time() - 20 * 86400
    os.utime(old, (twenty_days, twenty_days))
    env = {
        **os.environ,
        "BACKUP_DIR": str(tmp_path),
        "BACKUP_RETENTION_DAYS": "14",
        "PGHOST": params["HOST"] or "127.0.0.1",
        "PGPORT": str(params["PORT"] or 5432),
        "PGUSER": params["USER"] or "postgres",
        "PGDATABASE": params["NAME"],
    }
    done = subprocess.run(
        ["bash", str(SCRIPT), "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    dumps = sorted(tmp_path.glob(f"{params['NAME']}-*.dump"))
    assert len(dumps) == 1 and dumps[0] != old  # the new one; the 20-day-old one deleted
    assert (tmp_path / "last-status").read_text().split()[1] == "ok"
    listing = subprocess.run(
        ["pg_restore", "--list", str(dumps[0])], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public reporting_referral" in listing
    assert not list(tmp_path.glob(".*.partial"))
