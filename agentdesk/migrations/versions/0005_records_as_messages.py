"""Records the desk writes keep their sentences as catalog keys, so every reader reads them in
their own language: callbacks.reason_message, work_orders.description_message; the rows
already written are converted.

A stored sentence in either language is recognised against the templates as they were
written (frozen here, so a later catalog change does not change what this migration reads);
labels inside it (a kind, a tier, a callback method, a service) go back to their codes
through the catalogs. Text that matches no template stays text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LANGS = ("zh_CN", "en")
#: key → the sentence as each language wrote it until this revision.
TEMPLATES: dict[str, dict[str, str]] = {
    "callback.reason_after_order": {
        "zh_CN": "工单 {number}（{kind}）完成回访：{description}",
        "en": "Callback after work order {number} ({kind}): {description}",
    },
    "callback.reason_periodic": {
        "zh_CN": "{tier}客户 {month} 定期回访（{methods}）",
        "en": "{tier} customer periodic callback {month} ({methods})",
    },
    "outages.restoration_reason": {
        "zh_CN": "故障 {id} 已恢复（{areas}，{services}，原因：{cause}）。请告知客户业务已恢复，并确认使用正常。",
        "en": "Outage {id} is over ({areas}; {services}; cause: {cause}). "
              "Tell the customer service is back and check that it works.",
    },
    "callback.follow_up_description": {
        "zh_CN": "回访不满意：{note}（原回访：{reason}）",
        "en": "Not satisfied at callback: {note} (callback: {reason})",
    },
    "callback.closed_unreachable": {
        "zh_CN": "回访 {attempts} 次均联系不上客户，按无法联系结案。",
        "en": "Customer unreachable after {attempts} callback attempts; closed as unreachable.",
    },
    "callback.closed_satisfied": {"zh_CN": "回访满意，结案。", "en": "Customer satisfied at callback; closed."},
    "callback.closed_follow_up": {
        "zh_CN": "回访不满意，已另开工单 {number} 处理。",
        "en": "Customer not satisfied at callback; follow-up work order {number} opened.",
    },
    "callback.reopen_reason": {
        "zh_CN": "回访 {id} 客户不满意，重新处理。",
        "en": "Customer not satisfied at callback {id}; reopened.",
    },
}
CALLBACK_REASONS = ("callback.reason_after_order", "callback.reason_periodic", "outages.restoration_reason")
CLOSE_NOTES = ("callback.closed_unreachable", "callback.closed_satisfied", "callback.closed_follow_up",
               "callback.reopen_reason")
#: How list values were joined, per language: (the separator written, the key it is read with).
PERIODIC_METHODS_SEP = {"zh_CN": "、", "en": "、"}
OUTAGE_SEP = {"zh_CN": "、", "en": ", "}
INT_PARAMS = {"id", "attempts"}


def _pattern(template: str) -> re.Pattern[str]:
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(re.escape(template[pos:m.start()]))
        out.append(f"(?P<{m.group(1)}>.*?)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "$", re.S)


_PATTERNS = {key: {lang: _pattern(text) for lang, text in langs.items()} for key, langs in TEMPLATES.items()}


def _labels(prefix: str) -> dict[str, dict[str, str]]:
    """label text → code for catalog keys ``prefix<code>``, per language."""
    from agentdesk.i18n import catalog

    return {lang: {text: key[len(prefix):] for key, text in catalog(lang).items() if key.startswith(prefix)}
            for lang in LANGS}


class Reader:
    """Turns a stored sentence back into message data (``{"key", "params"}``)."""

    def __init__(self, labels: Callable[[str], dict[str, dict[str, str]]] = _labels) -> None:
        self._labels = labels
        self._cache: dict[str, dict[str, dict[str, str]]] = {}

    def _label(self, prefix: str, text: str, lang: str) -> Any:
        table = self._cache.setdefault(prefix, self._labels(prefix))
        code = table.get(lang, {}).get(text.strip())
        return {"key": prefix + code, "params": {}} if code is not None else text

    def _value(self, key: str, name: str, text: str, lang: str) -> Any:
        if name in INT_PARAMS and text.isdigit():
            return int(text)
        if key == "callback.reason_after_order" and name == "kind":
            return self._label("kind.", text, lang)
        if key == "callback.reason_after_order" and name == "description":
            return self.read(text, ("callback.follow_up_description",)) or text
        if key == "callback.follow_up_description" and name == "reason":
            return self.read(text, CALLBACK_REASONS) or text
        if key == "callback.reason_periodic" and name == "tier":
            return self._label("tier.", text, lang)
        if key == "callback.reason_periodic" and name == "methods":
            return {"list": [self._label("callback.method_", m, lang) for m in text.split(PERIODIC_METHODS_SEP[lang])],
                    "sep": "records.list_sep"}
        if key == "outages.restoration_reason" and name == "areas":
            return {"list": text.split(OUTAGE_SEP[lang]), "sep": "outages.separator"}
        if key == "outages.restoration_reason" and name == "services" and text != "—":
            return {"list": [self._label("service.", s, lang) for s in text.split(OUTAGE_SEP[lang])],
                    "sep": "outages.separator"}
        return text

    def read(self, text: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
        for key in keys:
            for lang in LANGS:
                m = _PATTERNS[key][lang].match(text)
                if m:
                    return {"key": key, "params": {name: self._value(key, name, value, lang)
                                                   for name, value in m.groupdict().items()}}
        return None


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def convert(conn: sa.Connection, reader: Reader | None = None) -> dict[str, int]:
    """Convert the rows already written; returns how many of each were converted."""
    reader = reader or Reader()
    counts = {"callbacks": 0, "work_orders": 0, "work_order_events": 0, "audit_events": 0}
    for cid, reason in conn.execute(sa.text(
            "SELECT id, reason FROM callbacks WHERE reason_message IS NULL AND kind != 'followup'")).all():
        data = reader.read(reason or "", CALLBACK_REASONS)
        if data is None:
            continue
        description = data["params"].get("description")
        text = description if data["key"] == "callback.reason_after_order" and isinstance(description, str) else ""
        conn.execute(sa.text("UPDATE callbacks SET reason = :r, reason_message = :m WHERE id = :id"),
                     {"r": text, "m": _dumps(data), "id": cid})
        counts["callbacks"] += 1
    # Only follow-up orders carry the desk's sentence; their creation names the callback.
    for oid, description in conn.execute(sa.text(
            "SELECT id, description FROM work_orders WHERE description_message IS NULL AND id IN "
            "(SELECT work_order_id FROM work_order_events WHERE kind = 'created' AND detail LIKE '%from_callback%')"
    )).all():
        data = reader.read(description or "", ("callback.follow_up_description",))
        if data is None:
            continue
        note = data["params"].get("note")
        text = note if isinstance(note, str) and note != "-" else ""
        conn.execute(sa.text("UPDATE work_orders SET description = :d, description_message = :m WHERE id = :id"),
                     {"d": text, "m": _dumps(data), "id": oid})
        counts["work_orders"] += 1
    # Close notes: status changes a callback outcome made (their detail names the outcome).
    for table, where in (("work_order_events", "kind IN ('status', 'reopen')"),
                         ("audit_events", "action IN ('workorder.status', 'workorder.reopen')")):
        for row_id, detail in conn.execute(sa.text(
                f"SELECT id, detail FROM {table} WHERE {where} AND detail LIKE '%\"outcome\"%'")).all():
            data = json.loads(detail) if detail else {}
            note = data.get("reason")
            found = reader.read(note, CLOSE_NOTES) if isinstance(note, str) and note else None
            if found is None:
                continue
            data["reason"] = ""
            data["reason_message"] = found
            conn.execute(sa.text(f"UPDATE {table} SET detail = :d WHERE id = :id"), {"d": _dumps(data), "id": row_id})
            counts[table] += 1
    return counts


def upgrade() -> None:
    op.add_column("callbacks", sa.Column("reason_message", sa.Text(), nullable=True))
    op.add_column("work_orders", sa.Column("description_message", sa.Text(), nullable=True))
    convert(op.get_bind())


def downgrade() -> None:
    # The sentences go back into the text columns, in Chinese (the desk's first language).
    from agentdesk.services.messages import loads

    conn = op.get_bind()
    for table, text_column, message_column in (("callbacks", "reason", "reason_message"),
                                               ("work_orders", "description", "description_message")):
        for row_id, stored in conn.execute(sa.text(
                f"SELECT id, {message_column} FROM {table} WHERE {message_column} IS NOT NULL")).all():
            message = loads(stored)
            if message is not None:
                conn.execute(sa.text(f"UPDATE {table} SET {text_column} = :t WHERE id = :id"),
                             {"t": message.render("zh_CN"), "id": row_id})
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of work_orders would trip its
    # foreign keys.
    op.drop_column("work_orders", "description_message")
    op.drop_column("callbacks", "reason_message")
