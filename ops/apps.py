from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations: retention and monitoring"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from ops import receivers  # noqa: F401

        post_migrate.connect(receivers.write_snapshot_after_migrate, sender=self)
