from django.apps import AppConfig


class MashConfig(AppConfig):
    name = "mash"
    verbose_name = "MASH screening"

    def ready(self):
        # Connect the receivers: login/logout audit (audit), screening records (receivers).
        from mash import audit, receivers  # noqa: F401
