"""What the MASH writes refuse. Every error's message is fit to show to staff; views catch
`ScreeningError` and show it as an error message."""


class ScreeningError(Exception):
    """A change to a referral's screening (or a consultation) that is not allowed."""


class NotHolder(ScreeningError):
    """Releasing a referral the user does not hold (or nobody holds)."""


class NotAllowed(ScreeningError):
    """The user may not make this change."""


class OutOfScope(NotAllowed):
    """The referral or consultation is not in the user's boroughs (views answer 404 first)."""


class HeldByOther(NotAllowed):
    """Another screener holds the referral."""


class AlreadyDecided(ScreeningError):
    """The referral has a decision: its screening is closed."""


class AlreadyClaimed(ScreeningError):
    """Someone else has claimed the consultation."""


class AlreadyClosed(ScreeningError):
    """The consultation has its advice: it is closed."""
