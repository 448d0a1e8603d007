from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Boroughs and contacts"

    def ready(self) -> None:
        from contacts import signals  # noqa: F401
