"""The auth room's exception."""


class AuthError(Exception):
    """A staff-account operation was refused; the message is safe to show."""
