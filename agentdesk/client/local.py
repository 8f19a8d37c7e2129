"""The desk on one PC: every :class:`~agentdesk.client.desk.Desk` operation as one Session
on the local database, acting as the agent who logged in.

Built by the app's opening thread once the database is open, so its imports (the whole
service layer) never compete with the first paint.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from agentdesk import clock
from agentdesk.client.desk import Identified, OrderFilters, ResumedCall
from agentdesk.db import Database
from agentdesk.services import (
    account_admin,
    accounts,
    board,
    callbacks,
    calls,
    changes,
    complaints,
    contact,
    customers,
    drafts,
    handover,
    kb,
    outages,
    workorders,
)
from agentdesk.services.accounts import AgentInfo, LoginResult
from agentdesk.services.cti import popup, taking
from agentdesk.services.cti.popup import CallPopup
from agentdesk.services.cti.taking import TakenCall
from agentdesk.services.errors import InvalidInput, LoginFailed, PermissionDenied

CHANGE_POLL_SECONDS = 0.5


def _digits(text: str) -> str:
    """Full-width digits from a Chinese IME are still digits."""
    return unicodedata.normalize("NFKC", text)


class LocalDesk:
    def __init__(self, db: Database, *, policy: str) -> None:
        self.db = db
        self.policy = policy
        self._login: LoginResult | None = None
        self._outages_dirty = True  # nothing shown yet
        self._changes: changes.Reader | None = None  # from the first wait_changes on
        self._watching: frozenset[str] | None = None  # None: every topic

    @classmethod
    def acting(cls, db: Database, *, policy: str, login: LoginResult) -> LocalDesk:
        """The facade for one request on the server: the agent and shift of its session."""
        desk = cls(db, policy=policy)
        desk._login = login
        return desk

    @property
    def actor(self) -> AgentInfo:
        if self._login is None:
            raise PermissionDenied("client.not_logged_in")
        return self._login.agent

    # -- before and at login --------------------------------------------------------------

    def agent_count(self) -> int:
        with self.db.read() as session:
            return accounts.agent_count(session)

    def login(self, number: str, pin: str) -> LoginResult:
        result = accounts.login(self.db, _digits(number), _digits(pin))
        self._login = result
        return result

    # -- accounts -----------------------------------------------------------------------------

    def list_agents(self) -> list[AgentInfo]:
        with self.db.read() as session:
            return account_admin.list_accounts(session, actor=self.actor)

    def add_agent(self, number: str, *, name: str, role: str, pin: str, team: str | None = None) -> AgentInfo:
        with self.db.write() as session:
            return account_admin.add_agent(session, number, name, role, _digits(pin), team=team, actor=self.actor)

    def update_agent(self, number: str, *, name: str | None = None, role: str | None = None,
                     team: str | None = None, active: bool | None = None) -> AgentInfo:
        with self.db.write() as session:
            return account_admin.update_agent(session, number, name=name, role=role, team=team, active=active,
                                              actor=self.actor)

    def change_pin(self, number: str, *, new_pin: str, old_pin: str | None = None) -> None:
        with self.db.write() as session:
            try:
                account_admin.change_pin(session, number, _digits(new_pin), actor=self.actor,
                                         old_pin=_digits(old_pin) if old_pin is not None else None)
            except LoginFailed:
                session.commit()  # a wrong old PIN counts towards the lock-out
                raise

    # -- drafts -------------------------------------------------------------------------------

    def unfinished_calls(self) -> list[drafts.UnfinishedCall]:
        with self.db.read() as session:
            return drafts.unfinished_calls(session, self.actor.id)

    def load_draft(self, form: str, key: str) -> drafts.DraftInfo | None:
        with self.db.read() as session:
            return drafts.load_draft(session, self.actor.id, form, key)

    def save_draft(self, form: str, key: str, values: dict) -> None:
        with self.db.write() as session:
            drafts.save_draft(session, self.actor.id, form, key, values)

    def delete_drafts(self, key: str, forms: tuple[str, ...] | None = None) -> None:
        with self.db.write() as session:
            drafts.delete_drafts(session, self.actor.id, key=key, forms=forms)

    # -- the call ----------------------------------------------------------------------------

    def start_call(self) -> calls.CallInfo:
        shift_id = self._login.shift.id if self._login is not None else None
        with self.db.write() as session:
            return calls.start_call(session, actor=self.actor, shift_id=shift_id)

    def resume_call(self, call_id: int) -> ResumedCall:
        with self.db.read() as session:
            call, caller, owed = calls.resume_call(session, call_id, actor=self.actor)
            identified = None
            if caller is not None:
                card = customers.customer_card(session, caller.customer_id, clock.now()) if caller.customer_id else None
                outage = outages.active_outage_for_area(session, card.area_name) if card else None
                identified = Identified(caller, card, outage)
            draft = drafts.load_draft(session, self.actor.id, "call", str(call_id))
        return ResumedCall(call, identified, owed, draft)

    def search_customers(self, query: str) -> list[customers.CustomerHit]:
        with self.db.read() as session:
            return customers.search_customers(session, query)

    def identify(self, call_id: int, customer_id: int) -> Identified:
        with self.db.write() as session:
            caller = calls.identify_customer(session, call_id, customer_id, actor=self.actor)
            card = customers.customer_card(session, customer_id, clock.now())
            outage = outages.active_outage_for_area(session, card.area_name)
        return Identified(caller, card, outage)

    def register_unregistered(self, call_id: int, *, name: str, address: str, phone: str) -> calls.CallerInfo:
        with self.db.write() as session:
            return calls.register_unregistered(session, call_id, name=name, address=address, phone=phone,
                                               actor=self.actor)

    def link_outage(self, call_id: int, outage_id: int) -> None:
        with self.db.write() as session:
            outages.link_call(session, call_id, outage_id, actor=self.actor)

    def close_call(self, call_id: int, *, summary: str, checklist: dict[str, bool] | None) -> bool:
        with self.db.write() as session:
            return calls.close_call(session, call_id, summary=summary, checklist=checklist, actor=self.actor)

    # -- the requests on a call ---------------------------------------------------------------

    def set_request_type(self, call_id: int, code: str) -> None:
        with self.db.write() as session:
            calls.set_request_type(session, call_id, code, actor=self.actor)

    def departments(self) -> list[calls.DepartmentInfo]:
        with self.db.read() as session:
            return calls.list_departments(session)

    def kb_search(self, query: str) -> list[kb.KbHit]:
        with self.db.read() as session:
            return kb.kb_search(session, query)

    def kb_article(self, article_id: int) -> kb.KbArticleView:
        with self.db.read() as session:
            return kb.kb_article(session, article_id)

    def consult_answered(self, call_id: int, *, article_id: int | None, question: str) -> None:
        with self.db.write() as session:
            calls.consult_answered(session, call_id, article_id=article_id, question=question, actor=self.actor)

    def follow_up_due(self, call_id: int) -> datetime:
        with self.db.read() as session:
            return calls.follow_up_due(session, call_id, self.policy)

    def consult_follow_up(self, call_id: int, *, question: str, contact_phone: str) -> calls.FollowUpInfo:
        with self.db.write() as session:
            return calls.consult_follow_up(session, call_id, question=question, contact_phone=contact_phone,
                                           policy=self.policy, actor=self.actor)

    def preview_deadlines(self, call_id: int, kind: str, severity: str) -> dict[str, datetime | None]:
        with self.db.read() as session:
            return calls.preview_deadlines(session, call_id, kind, severity, self.policy)

    def create_work_order(self, call_id: int, *, kind: str, severity: str, description: str, department_id: int,
                          request_type: str | None = None, detail: dict | None = None) -> calls.WorkOrderInfo:
        with self.db.write() as session:
            return calls.create_work_order(session, call_id, kind=kind, severity=severity, description=description,
                                           department_id=department_id, policy=self.policy, actor=self.actor,
                                           request_type=request_type, detail=detail)

    def record_materials_missing(self, call_id: int, *, business: str, missing: list[str]) -> None:
        with self.db.write() as session:
            calls.record_materials_missing(session, call_id, business=business, missing=missing, actor=self.actor)

    def record_praise(self, call_id: int, *, kind: str, content: str, forward: bool) -> bool:
        with self.db.write() as session:
            return calls.record_praise(session, call_id, kind=kind, content=content, forward=forward,
                                       actor=self.actor)

    def complaint_categories(self) -> dict[str, complaints.Category]:
        return complaints.categories()

    def accept_complaint(self, call_id: int, *, name: str, phone: str, target: str, content: str, category: str,
                         subcategory: str | None, fee_dispute: bool,
                         department_id: int | None) -> complaints.ComplaintInfo:
        with self.db.write() as session:
            return complaints.accept_complaint(
                session, call_id, name=name, phone=phone, target=target, content=content, category=category,
                subcategory=subcategory, fee_dispute=fee_dispute, department_id=department_id,
                policy=self.policy, actor=self.actor)

    def refuse_complaint(self, call_id: int, *, name: str, phone: str) -> list[str]:
        with self.db.write() as session:
            return complaints.refuse_complaint(session, call_id, name=name, phone=phone, actor=self.actor)

    # -- work orders ------------------------------------------------------------------------

    def list_orders(self, filters: OrderFilters, *, page_size: int, cursor: tuple | None) -> workorders.Page:
        with self.db.read() as session:
            return workorders.list_orders(
                session, status=filters.status, kind=filters.kind, department_id=filters.department_id,
                overdue=filters.overdue, warning=filters.warning,
                owner_id=self.actor.id if filters.mine else None, page_size=page_size, cursor=cursor)

    def get_order(self, order_id: int) -> workorders.OrderDetail:
        with self.db.read() as session:
            return workorders.get_order(session, order_id)

    def change_status(self, order_id: int, status: str, *, reason: str, expected_version: int) -> None:
        with self.db.write() as session:
            workorders.change_status(session, order_id, status, actor=self.actor, reason=reason, policy=self.policy,
                                     expected_version=expected_version)

    def pause_order(self, order_id: int, *, reason: str) -> None:
        with self.db.write() as session:
            workorders.pause(session, order_id, actor=self.actor, reason=reason, policy=self.policy)

    def resume_order(self, order_id: int) -> None:
        with self.db.write() as session:
            workorders.resume(session, order_id, actor=self.actor, policy=self.policy)

    def request_delay(self, order_id: int, *, reason: str, deadline: datetime) -> None:
        with self.db.write() as session:
            workorders.request_delay(session, order_id, actor=self.actor, reason=reason, proposed_deadline=deadline)

    def decide_delay(self, request_id: int, *, approve: bool, note: str) -> None:
        with self.db.write() as session:
            workorders.decide_delay(session, request_id, actor=self.actor, approve=approve, note=note,
                                    policy=self.policy)

    def urge(self, order_id: int, *, note: str) -> None:
        with self.db.write() as session:
            workorders.urge(session, order_id, actor=self.actor, note=note)

    def escalate(self, order_id: int, *, reason: str) -> None:
        with self.db.write() as session:
            workorders.escalate(session, order_id, actor=self.actor, reason=reason)

    def board(self) -> board.BoardData:
        since = self._login.shift.started_at if self._login is not None else clock.now()
        with self.db.read() as session:
            return board.board(session, actor=self.actor, now=clock.now(), since=since)

    # -- callbacks ------------------------------------------------------------------------------

    def callback_queue(self, status: str, *, page_size: int, cursor: tuple | None) -> workorders.Page:
        with self.db.read() as session:
            return callbacks.queue(session, status=(status,), page_size=page_size, cursor=cursor)

    def take_next_callback(self) -> callbacks.CallbackRow | None:
        return callbacks.take_next(self.db, actor=self.actor)

    def get_callback(self, callback_id: int) -> callbacks.CallbackRow:
        with self.db.read() as session:
            return callbacks.get_callback(session, callback_id)

    def reveal_callback_phone(self, callback_id: int) -> str:
        with self.db.write() as session:
            return contact.reveal_callback_phone(session, callback_id, actor=self.actor)

    def record_callback_outcome(self, callback_id: int, *, outcome: str, satisfaction: int | None,
                                note: str) -> dict:
        with self.db.write() as session:
            return callbacks.record_outcome(session, callback_id, actor=self.actor, outcome=outcome,
                                            satisfaction=satisfaction, note=note, policy=self.policy)

    def release_callback(self, callback_id: int) -> None:
        with self.db.write() as session:
            callbacks.release(session, callback_id, actor=self.actor)

    # -- outages -------------------------------------------------------------------------------

    def outages_if_changed(self, *, refresh: bool = False) -> list[outages.OutageInfo] | None:
        """The active outages when :meth:`wait_changes` saw one change (or on ``refresh``, or
        the first time); None when nothing needs showing again, without reading anything."""
        if not (refresh or self._outages_dirty):
            return None
        self._outages_dirty = False
        with self.db.read() as session:
            return outages.active_outages(session)

    def call_popup(self, leg_id: int) -> CallPopup:
        with self.db.read() as session:
            return popup.call_popup(session, leg_id, actor=self.actor, now=clock.now())

    def take_call(self, leg_id: int) -> TakenCall:
        shift_id = self._login.shift.id if self._login is not None else None
        with self.db.write() as session:
            return taking.take_call(session, leg_id, actor=self.actor, shift_id=shift_id, now=clock.now())

    def known_areas(self) -> list[str]:
        with self.db.read() as session:
            return outages.known_areas(session, "", limit=5000)

    def list_outages(self) -> list[outages.OutageInfo]:
        with self.db.read() as session:
            return outages.list_outages(session, limit=100)

    def outage_timeline(self, outage_id: int) -> list[tuple[outages.TimelineEntry, str]]:
        with self.db.read() as session:
            entries = outages.timeline(session, outage_id)
        return [(entry, outages.describe(entry)) for entry in entries]

    def declare_outage(self, *, areas: Sequence[str], services: Sequence[str], cause: str, eta: datetime | None,
                       message: str) -> outages.OutageInfo:
        with self.db.write() as session:
            return outages.declare(session, actor=self.actor, areas=areas, services=services, cause=cause, eta=eta,
                                   message=message)

    def update_outage(self, outage_id: int, *, areas: Sequence[str], services: Sequence[str], cause: str,
                      eta: datetime | None, message: str) -> outages.OutageInfo:
        with self.db.write() as session:
            return outages.update(session, outage_id, actor=self.actor, areas=areas, services=services, cause=cause,
                                  eta=eta, message=message)

    def clear_outage(self, outage_id: int) -> int:
        with self.db.write() as session:
            _, created = outages.clear(session, outage_id, actor=self.actor)
        return created

    # -- handover ------------------------------------------------------------------------------

    def _shift_id(self) -> int:
        if self._login is None or self._login.shift.id is None:
            raise PermissionDenied("client.not_logged_in")
        return self._login.shift.id

    def pending_handovers(self) -> list[handover.HandoverNoteInfo]:
        with self.db.read() as session:
            return handover.unacknowledged_for(session, agent=self.actor)

    def acknowledge_handovers(self, note_ids: Sequence[int]) -> int:
        with self.db.write() as session:
            for note_id in note_ids:
                handover.acknowledge(session, note_id, actor=self.actor)
        return len(note_ids)

    def compile_handover(self) -> handover.HandoverDraft:
        with self.db.read() as session:
            return handover.compile_handover(session, self._shift_id(), actor=self.actor)

    def confirm_handover(self, *, notes: str, hand_over_open_calls: bool) -> handover.HandoverNoteInfo:
        with self.db.write() as session:
            return handover.confirm_handover(session, self._shift_id(), actor=self.actor, notes=notes,
                                             hand_over_open_calls=hand_over_open_calls)

    def export_handovers(self, *, scope: str, fmt: str, path: Path, overwrite: bool) -> Path:
        """The agent's latest note (or today's notes) to a file, audited as the CLI's export is."""
        from agentdesk.client.export_file import refuse_existing, write_export

        path = refuse_existing(path, overwrite)
        data = self.export_handover_data(scope=scope, fmt=fmt, destination=str(path))
        return write_export(path, data, overwrite=overwrite)

    def export_handover_data(self, *, scope: str, fmt: str, destination: str) -> bytes:
        """The export's bytes, audited (with where they go) before any file exists: as the CLI does.
        On a server the desk writes the file on its own machine."""
        from agentdesk.i18n import get_language
        from agentdesk.services.handover_export import export

        with self.db.write() as session:
            if scope == "today":
                notes = handover.find_notes(session, date=date.fromordinal(clock.now().toordinal()))
            else:
                notes = handover.find_notes(session, agent_number=self.actor.number, shift="latest")
            if not notes:
                raise InvalidInput("handover_ui.export_none", field="form")
            data = export(notes, fmt, lang=get_language())
            handover.record_export(session, notes, fmt=fmt, actor=self.actor, destination=destination)
        return data

    # -- what changed elsewhere --------------------------------------------------------------

    def watch(self, topics: frozenset[str]) -> None:
        self._watching = topics

    def wait_changes(self, timeout: float) -> list[changes.Change]:
        """One PC polls the change events itself (a few desks on one file: cheap), every half second."""
        deadline = time.monotonic() + timeout
        while True:
            with self.db.read() as session:
                if self._changes is None:
                    self._changes = changes.Reader(changes.latest(session))
                    found: list[changes.Change] = []
                else:
                    found = self._changes.read(session)
            if found:
                if any(c.topic == changes.Topic.OUTAGE for c in found):
                    self._outages_dirty = True
                # Every topic, whatever is watched: the poll reads them all anyway, and a list
                # just opened gets what committed between its first read and its watch.
                mine = changes.for_agent(found, self._login.agent if self._login else None)
                if mine:
                    return mine
            if time.monotonic() >= deadline:
                return []
            time.sleep(min(CHANGE_POLL_SECONDS, max(0.0, deadline - time.monotonic())))

    def link_status(self) -> str | None:
        return None

    def close(self) -> None:
        self.db.dispose()
