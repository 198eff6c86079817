"""Make user text safe to show: no terminal control sequences, no markup, no broken tables.

User strings (brand names, notes) reach terminals, markdown and HTML. Each output escapes in its own
way, but all of them first make control characters visible, so an ESC sequence in a brand name shows
as ``\\x1b[2J`` instead of clearing the screen, and bidirectional overrides cannot reorder a line.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode bidirectional embedding/override/isolate characters.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_EXCEPT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in (0x09, 0x0A, 0x0D):
        return " "
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean_line(text: str) -> str:
    """One line of text with control characters made visible and line breaks turned into spaces."""
    return _CONTROL.sub(_visible, text)


def clean_block(text: str) -> str:
    """Text that may span lines (notes): newlines kept, other control characters made visible."""
    return _CONTROL_EXCEPT_NEWLINE.sub(_visible, text.replace("\r\n", "\n"))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!#])")


def markdown_inline(text: str) -> str:
    """Text for a markdown table cell or inline position: punctuation escaped, newlines as <br>."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", clean_block(text).strip())
    return "<br>".join(line.strip() for line in escaped.split("\n"))
