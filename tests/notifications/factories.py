import factory

from notifications.kinds import Channel, Kind
from notifications.models import OutboxMessage

ACKNOWLEDGEMENT = {
    "reference": "BRM-0000-0000",
    "council_name": "London Borough of Bromley",
    "phone_lines": ["Children's services (Mon-Fri 9am-5pm): 020 8461 7373"],
    "borough_phone": "020 8461 7373",
}


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    kind = Kind.ACKNOWLEDGEMENT
    channel = Channel.EMAIL
    to = factory.Faker("email")
    personalisation = factory.LazyFunction(lambda: dict(ACKNOWLEDGEMENT))
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
