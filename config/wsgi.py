import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The outage snapshot is refreshed as each web process starts (a failure is logged: with the
# database down the last snapshot written stays).
from contacts.snapshot import refresh_snapshot  # noqa: E402

refresh_snapshot()
