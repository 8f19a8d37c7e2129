"""Column widths that fit a table's labels in the UI language, within one terminal width.

A column that shows one of a known set of labels (a status, a kind, a deadline badge) is as
wide as the widest label or its header in the current language; fixed columns keep their
width; the free-text columns (names, reasons) share what is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rich.cells import cell_len
from textual.content import Content

TERMINAL_WIDTH = 120  # the desk's design size
SCROLLBAR = 2  # DataTable's vertical scrollbar


def row_width(columns: int) -> int:
    """The cells of ``columns`` columns at the design width: Textual pads each by one a side."""
    return TERMINAL_WIDTH - SCROLLBAR - 2 * columns - 1


def fit_widths(headers: Mapping[str, str], fixed: Mapping[str, int], labels: Mapping[str, Iterable[Content]],
               free: Sequence[str]) -> dict[str, int]:
    """Widths by column key; every key of ``headers`` is in exactly one of the other three."""
    widths = {key: max(width, cell_len(headers[key])) for key, width in fixed.items()}
    for key, cells in labels.items():
        widths[key] = max(cell_len(headers[key]), *(cell.cell_length for cell in cells))
    left = row_width(len(headers)) - sum(widths.values())
    for i, key in enumerate(free):
        share = -(-left // (len(free) - i))  # the earlier column gets the odd cell
        widths[key] = max(share, cell_len(headers[key]))
        left -= share
    return widths
