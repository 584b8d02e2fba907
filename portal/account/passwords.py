"""Password rules beyond Django's: refuse the repetitive and sequential (NIST SP 800-63B 3.1.1.2).

No composition rules: a long passphrase of plain words is welcome.
"""

from django.core.exceptions import ValidationError

_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")


def _is_sequence(text: str) -> bool:
    for sequence in _SEQUENCES:
        doubled = sequence + sequence
        if text in doubled or text in doubled[::-1]:
            return True
    return False


class RepetitiveOrSequentialValidator:
    """Refuses "aaaaaaaaaaaa", "abababababab" and "abcdefghijkl": too easy to guess."""

    min_distinct = 4

    def validate(self, password: str, user=None) -> None:
        text = password.lower()
        if len(set(text)) < self.min_distinct or _is_sequence(text):
            raise ValidationError(
                "This password is a repeated or sequential pattern, which is easy to guess. "
                "Try a few unrelated words instead.",
                code="password_repetitive",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be a repeated or sequential pattern such as aaaa or 1234."
