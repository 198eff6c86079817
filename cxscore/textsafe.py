"""Make user text safe to show: no terminal control sequences, no markup, no broken tables.

User strings (brand names, notes) reach terminals, markdown and HTML. Each output escapes in its own
way, but all of them first make control characters visible, so an ESC sequence in a brand name shows
as ``\\x1b[2J`` instead of clearing the screen, and bidirectional overrides cannot reorder a line.
"""

from __future__ import annotations

# C0 and C1 controls, DEL, and the Unicode bidirectional embedding/override/isolate characters, each
# shown as its escape (``\x1b``, ``\u202e``); tabs and line breaks become spaces. str.translate
# with a table needs no regular expression compiled at start-up.
_BIDI = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_LINE = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
_LINE.update({code: f"\\u{code:04x}" for code in _BIDI})
_LINE.update({0x09: " ", 0x0A: " ", 0x0D: " "})
_BLOCK = {code: shown for code, shown in _LINE.items() if code != 0x0A}
_MARKDOWN = {ord(char): "\\" + char for char in "\\`*_[]<>|~&!#"}


def clean_line(text: str) -> str:
    """One line of text with control characters made visible and line breaks turned into spaces."""
    return text.translate(_LINE)


def clean_block(text: str) -> str:
    """Text that may span lines (notes): newlines kept, other control characters made visible."""
    return text.replace("\r\n", "\n").translate(_BLOCK)


def markdown_inline(text: str) -> str:
    """Text for a markdown table cell or inline position: punctuation escaped, newlines as <br>."""
    escaped = clean_block(text).strip().translate(_MARKDOWN)
    return "<br>".join(line.strip() for line in escaped.split("\n"))


def markdown_block(text: str) -> str:
    """Text for markdown paragraphs (a description): escaped like inline text, line breaks kept.

    A line that would open a block of its own (a list item, a quote, a heading underline, a code
    fence) has its first character escaped, so user text can only ever be paragraphs.
    """
    lines = []
    for line in clean_block(text).strip().split("\n"):
        escaped = line.strip().translate(_MARKDOWN)
        if escaped[:1] in ("-", "+", "=", ">") or escaped.split(".", 1)[0].isdigit():
            escaped = "\\" + escaped
        lines.append(escaped)
    return "\n".join(lines)
