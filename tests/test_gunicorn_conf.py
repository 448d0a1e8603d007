"""gunicorn, started as the Dockerfile and compose start it (from the project root, no -c),
reads gunicorn.conf.py: its access log keeps no client address, query string (the home page's
postcode) or referrer."""

from pathlib import Path

from gunicorn.app.wsgiapp import WSGIApplication

ROOT = Path(__file__).resolve().parents[1]


def test_the_access_log_holds_nothing_the_public_typed(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("sys.argv", ["gunicorn", "config.wsgi:application", "--access-logfile=-"])
    app = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")  # loads the config, not the app
    log_format = app.cfg.access_log_format
    assert log_format != app.cfg.settings["access_log_format"].default  # our file was read
    for field in ("%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "%(u)s", "%({"):
        assert field not in log_format, field
    assert "%(U)s" in log_format and "%(s)s" in log_format
