"""The queue lists' columns: every label a list can show fits, in both languages."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from agentdesk.i18n import catalog, set_language, t
from agentdesk.screens import callback_queue, work_orders
from agentdesk.ui.columns import row_width
from agentdesk.ui.labels import callback_kind

LANGS = ["zh_CN", "en"]


def _fits(widths: dict[str, int], columns: tuple[str, ...], header_prefix: str) -> None:
    assert set(widths) == set(columns)
    assert sum(widths.values()) <= row_width(len(columns))
    for key in columns:
        assert cell_len(t(header_prefix + key)) <= widths[key], key


@pytest.mark.parametrize("lang", LANGS)
def test_every_work_order_label_and_header_fits_its_column(lang: str) -> None:
    set_language(lang)
    widths = work_orders.column_widths()
    _fits(widths, work_orders.COLUMNS, "orders.col_")
    for key, (cell, values) in work_orders.LABEL_CELLS.items():
        for value in values:
            assert cell(value).cell_length <= widths[key], (key, value)
    # What is left goes to the free-text columns: a customer's name is not squeezed to nothing.
    assert widths["customer"] >= 10 and widths["department"] >= 10


@pytest.mark.parametrize("lang", LANGS)
def test_every_callback_kind_and_header_fits_its_column(lang: str) -> None:
    set_language(lang)
    widths = callback_queue.column_widths()
    _fits(widths, callback_queue.COLUMNS, "callbacks.col_")
    kinds = [key.removeprefix("callback_kind.") for key in catalog(lang) if key.startswith("callback_kind.")]
    assert "after_install" in kinds and "followup" in kinds
    for kind in kinds:
        assert cell_len(callback_kind(kind)) <= widths["kind"], kind
    assert widths["reason"] >= 16  # 投诉处理结果回访
