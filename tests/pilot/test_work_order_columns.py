"""The work-order list's columns: every label the list can show fits, in both languages."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from agentdesk.i18n import set_language, t
from agentdesk.screens.work_orders import COLUMNS, LABEL_CELLS, ROW_WIDTH, column_widths


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_label_and_header_fits_its_column(lang: str) -> None:
    set_language(lang)
    widths = column_widths()
    assert list(widths) and set(widths) == set(COLUMNS)
    assert sum(widths.values()) <= ROW_WIDTH
    for key in COLUMNS:
        assert cell_len(t("orders.col_" + key)) <= widths[key], key
    for key, (cell, values) in LABEL_CELLS.items():
        for value in values:
            assert cell(value).cell_length <= widths[key], (key, value)
    # What is left goes to the free-text columns: a customer's name is not squeezed to nothing.
    assert widths["customer"] >= 10 and widths["department"] >= 10
