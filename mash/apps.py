from django.apps import AppConfig


class MashConfig(AppConfig):
    name = "mash"
    verbose_name = "MASH screening"

    def ready(self):
        from mash import audit  # noqa: F401  (connects the login/logout audit receivers)
