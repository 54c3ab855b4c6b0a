"""Text from submitted files, written where a spreadsheet opens it, must stay text."""

from __future__ import annotations

# A spreadsheet takes a cell's text for a formula when it starts with one of these (also after spaces,
# which a program may trim before it looks), or with a tab or a carriage return (OWASP's list).
FORMULA_SIGNS = ("=", "+", "-", "@")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula: a CSV cell it opens, or a text cell
    someone edits again in Excel."""
    return text.startswith(("\t", "\r")) or text.lstrip().startswith(FORMULA_SIGNS)
