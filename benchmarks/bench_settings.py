"""The project's settings, plus the benchmark's URL conf (a bare comparison view) and its own
static root, so a benchmark run never writes into the project's staticfiles/."""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

ROOT_URLCONF = "benchmarks.bench_urls"
STATIC_ROOT = BASE_DIR / "benchmarks" / "results" / "staticfiles"
