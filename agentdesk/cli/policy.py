"""``agentdesk policy …`` and ``agentdesk sla …``: inspect presets and compute deadlines.

Two typer apps the main CLI mounts. Texts come from ``agentdesk.policy.messages`` (Chinese
and English); user-supplied strings (notes, titles from a custom preset) are printed as
plain ``Text``, never as Rich markup. Exit codes: 0 fine, 1 an invalid preset file,
2 an unknown name (policy, kind, severity, area, tier) or a malformed argument.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from agentdesk.cli.common import console, fail, parse_iso, print_json
from agentdesk.policy import (
    AREAS,
    SEVERITIES,
    TIERS,
    Limit,
    Policy,
    PolicyError,
    PolicyNotFoundError,
    UnknownNameError,
    check_policy_file,
    list_policies,
    load_policy,
    policy_path,
)
from agentdesk.policy.messages import ZH, label, msg
from agentdesk.policy.messages import language as env_language
from agentdesk.policy.messages import set_language as set_message_language

if TYPE_CHECKING:
    from rich.console import OverflowMethod

policy_app = typer.Typer(
    help=msg("cli.policy_help"), no_args_is_help=True, add_completion=False, rich_markup_mode=None
)
sla_app = typer.Typer(help=msg("cli.sla_help"), no_args_is_help=True, add_completion=False, rich_markup_mode=None)


@sla_app.callback()
def _sla_group() -> None:
    """Keep ``sla`` a command group even with one subcommand, so ``sla due`` reads the
    same whether the app is mounted under ``agentdesk`` or invoked on its own."""


JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output / 输出 JSON")]


# -- helpers --------------------------------------------------------------------------------


def _lang(ctx: typer.Context | None) -> str:
    """The root command's ``--lang`` when mounted under ``agentdesk``, else the environment.

    The choice is also handed to the policy layer, so validation messages from the loader
    come out in the same language as the table around them.
    """
    chosen = None
    if ctx is not None:
        obj = ctx.find_root().obj
        chosen = obj.get("lang") if isinstance(obj, dict) else None
    set_message_language(str(chosen) if chosen else None)
    return env_language()


def _unknown(field: str, value: str, valid: tuple[str, ...] | list[str], lang: str) -> NoReturn:
    fail(
        msg("cli.unknown_name", lang, field=msg(f"field.{field}", lang), value=value, valid=", ".join(valid)),
        2,
    )


def _load(name: str, lang: str) -> Policy:
    try:
        return load_policy(name)
    except PolicyNotFoundError as exc:
        _unknown("policy", name, exc.valid, lang)
    except PolicyError as exc:
        fail(str(exc), 1)


def _names(values: frozenset[str] | None, group: str, lang: str) -> str:
    """Selector values as labels, in the vocabulary's own order; "any" for no selector."""
    if values is None:
        return msg("cli.any", lang)
    order = {"severity": SEVERITIES, "area": AREAS, "tier": TIERS}.get(group, ())
    ranked = sorted(values, key=lambda v: (order.index(v) if v in order else len(order), v))
    return ", ".join(label(group, v, lang) for v in ranked)


def _limit_text(limit: Limit, lang: str) -> str:
    parts = [limit.text]
    if limit.dispatch_day_counts:
        parts.append(f"({msg('unit.dispatch_day_counts', lang)})")
    if limit.cutoff is not None:
        parts.append(f"({msg('unit.cutoff', lang, time=limit.cutoff.strftime('%H:%M'))})")
    if limit.anchor == "done":
        parts.append(f"({msg('cli.from_done', lang)})")
    return " ".join(parts)


def _kind_label(policy: Policy, kind: str, lang: str) -> str:
    for extra in policy.extra_kinds:
        if extra.name == kind:
            return (extra.label if lang == ZH else extra.label_en) or kind
    return label("kind", kind, lang)


def _kinds(policy: Policy, kinds: frozenset[str] | None, lang: str) -> str:
    if kinds is None:
        return msg("cli.any", lang)
    order = policy.kinds
    return ", ".join(_kind_label(policy, k, lang) for k in sorted(kinds, key=lambda k: (order.index(k), k)))


def _heavy_table(lang: str, title: str | None, columns: tuple[str, ...],
                 overflow: OverflowMethod = "fold") -> Table:
    """A table of rules or presets: ``columns`` name the ``cli.col_*`` headers."""
    table = Table(title=Text(msg(title, lang)) if title else None, box=box.SIMPLE_HEAVY)
    for column in columns:
        table.add_column(msg(f"cli.col_{column}", lang), overflow=overflow)
    return table


def _parse_at(value: str, lang: str) -> datetime:
    return parse_iso(value, msg("cli.bad_datetime", lang, value=value))


# -- policy ---------------------------------------------------------------------------------


@policy_app.command("list", help="List the presets / 列出服务标准预设")
def policy_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    lang = _lang(ctx)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for name in list_policies():
        path = policy_path(name)
        try:
            policy = load_policy(path)
            rows.append(
                {
                    "name": name,
                    "title": policy.title if lang == ZH else policy.title_en,
                    "source": policy.source,
                    "path": str(path),
                }
            )
        except PolicyError as exc:
            rows.append({"name": name, "title": "", "source": "", "path": str(path), "error": str(exc)})
            problems.append(str(exc))
    if as_json:
        print_json(rows)
        return
    table = _heavy_table(lang, "cli.list_title", ("name", "title", "source", "file"), overflow="ellipsis")
    for row in rows:
        table.add_row(
            Text(row["name"]),
            Text(row["title"] or row.get("error", "")),
            Text(row["source"]),
            Text(row["path"]),
        )
    console().print(table)


@policy_app.command("show", help="Show every rule of a preset / 查看预设的全部规则")
def policy_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="preset name or path / 预设名称或文件路径")],
    as_json: JsonOpt = False,
) -> None:
    lang = _lang(ctx)
    policy = _load(name, lang)
    if as_json:
        print_json(policy.describe())
        return
    out = console()
    title = policy.title if lang == ZH else policy.title_en
    out.print(Text(f"{title}  [{policy.name}]", style="bold"))
    out.print(Text(f"{msg('cli.col_source', lang)}: {policy.source}   {msg('cli.col_file', lang)}: {policy.path}"))
    if policy.extends:
        out.print(Text(f"{msg('cli.extends', lang)}: {policy.extends}"))

    out.print(_calendar_table(policy, lang))
    service = _service_table(policy, lang)
    if service is not None:
        out.print(service)
    out.print(_rules_table(policy, lang))
    if policy.callbacks:
        out.print(_callbacks_table(policy, lang))


def _calendar_table(policy: Policy, lang: str) -> Table:
    cal = policy.calendar
    table = Table(title=Text(msg("cli.calendar_title", lang)), box=box.SIMPLE, show_header=False)
    table.add_column()
    table.add_column()
    none = msg("cli.none", lang)
    table.add_row(msg("cli.workdays", lang), Text(", ".join(cal.workday_names)))
    table.add_row(msg("cli.windows", lang), Text(", ".join(str(w) for w in cal.windows)))
    table.add_row(msg("cli.holidays", lang), Text(cal.country or msg("cli.holidays_none", lang)))
    table.add_row(
        msg("cli.extra_holidays", lang), Text(", ".join(sorted(d.isoformat() for d in cal.extra_holidays)) or none)
    )
    table.add_row(
        msg("cli.extra_workdays", lang), Text(", ".join(sorted(d.isoformat() for d in cal.extra_workdays)) or none)
    )
    cutoffs = []
    for rule in policy.rules:
        for clock, limit in rule.clocks:
            if limit.cutoff is not None:
                who = " ".join(
                    part
                    for part in (
                        _kinds(policy, rule.kinds, lang),
                        _names(rule.areas, "area", lang) if rule.areas else "",
                        _names(rule.tiers, "tier", lang) if rule.tiers else "",
                    )
                    if part
                )
                cutoffs.append(f"{who} {label('clock', clock, lang)}: {limit.cutoff.strftime('%H:%M')}")
    table.add_row(msg("cli.cutoffs", lang), Text("\n".join(cutoffs) or none))
    table.add_row(msg("cli.warn_ratio", lang), Text(f"{policy.warn_ratio:.0%}"))
    if policy.extra_kinds:
        table.add_row(
            msg("cli.extra_kinds", lang),
            Text(", ".join(f"{k.name} ({_kind_label(policy, k.name, lang)}) ~ {k.like}" for k in policy.extra_kinds)),
        )
    return table


def _service_table(policy: Policy, lang: str) -> Table | None:
    service = policy.service
    rows: list[tuple[str, str]] = []
    if service.answer_within is not None or service.answer_rings is not None:
        seconds = int(service.answer_within.total_seconds()) if service.answer_within else "-"
        rows.append((msg("cli.answer", lang),
                     msg("cli.answer_value", lang, seconds=seconds, rings=service.answer_rings or "-")))
    if service.hotline_24h:
        rows.append((msg("cli.hotline_24h", lang), msg("cli.yes", lang)))
    if service.staffed_hours:
        rows.append((msg("cli.staffed_hours", lang), ", ".join(str(w) for w in service.staffed_hours)))
    if service.maintenance_notice is not None:
        hours = service.maintenance_notice.total_seconds() / 3600
        rows.append((msg("cli.maintenance_notice", lang), f"{hours:g}h"))
    if service.escalation:
        rows.append((msg("cli.escalation", lang), " → ".join(service.escalation)))
    if not rows:
        return None
    table = Table(title=Text(msg("cli.service_title", lang)), box=box.SIMPLE, show_header=False)
    table.add_column()
    table.add_column()
    for key, value in rows:
        table.add_row(key, Text(value))
    return table


def _rules_table(policy: Policy, lang: str) -> Table:
    table = _heavy_table(lang, "cli.rules_title", ("kind", "severity", "area", "tier", "clock", "limit", "note"))
    for rule in policy.rules:
        first = True
        for clock, limit in rule.clocks:
            table.add_row(
                Text(_kinds(policy, rule.kinds, lang) if first else ""),
                Text(_names(rule.severities, "severity", lang) if first else ""),
                Text(_names(rule.areas, "area", lang) if first else ""),
                Text(_names(rule.tiers, "tier", lang) if first else ""),
                Text(f"{label('clock', clock, lang)} ({clock}_by)"),
                Text(_limit_text(limit, lang)),
                Text(rule.note if first else ""),
            )
            first = False
    return table


def _callbacks_table(policy: Policy, lang: str) -> Table:
    table = _heavy_table(lang, "cli.callbacks_title",
                         ("mode", "kind", "tier", "within", "rate", "every", "method", "segment", "note"))
    for rule in policy.callbacks:
        kinds = _kinds(policy, rule.kinds, lang)
        every = rule.every or ""
        if rule.on:
            every = f"{every} ({rule.on})"
        table.add_row(
            Text(label("mode", rule.mode, lang)),
            Text(kinds),
            Text(_names(rule.tiers, "tier", lang)),
            Text(rule.within.text if rule.within else ""),
            Text(f"{rule.rate:.0%}" if rule.rate is not None else ""),
            Text(every),
            Text(rule.method or ""),
            Text(rule.segment or ""),
            Text(rule.note),
        )
    return table


@policy_app.command("check", help="Validate a preset file / 校验预设文件")
def policy_check(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the .toml file / 预设文件")],
) -> None:
    lang = _lang(ctx)
    issues = check_policy_file(file)
    if issues:
        typer.echo(msg("cli.check_failed", lang, file=str(file), count=len(issues)), err=True)
        for issue in issues:
            typer.echo(f"  {issue}", err=True)
        raise typer.Exit(1)
    policy = load_policy(file)
    console().print(
        Text(msg("cli.check_ok", lang, file=str(file), rules=len(policy.rules), callbacks=len(policy.callbacks)))
    )


# -- sla ------------------------------------------------------------------------------------


@sla_app.command("due", help="Every deadline that applies / 列出适用的全部时限")
def sla_due(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--kind", help="consult, complaint, repair, install, restore, business")],
    at: Annotated[str, typer.Option("--at", help="acceptance time, ISO / 受理时间 (ISO 8601)")],
    policy_name: Annotated[
        str | None, typer.Option("--policy", help="preset name or path / 预设 (default: generic)")
    ] = None,
    severity: Annotated[str, typer.Option("--severity", help="general, major, critical, pipeline")] = "general",
    area: Annotated[str, typer.Option("--area", help=", ".join(AREAS))] = "city",
    tier: Annotated[str, typer.Option("--tier", help=", ".join(TIERS))] = "regular",
    done_at: Annotated[
        str | None, typer.Option("--done-at", help="completion time for callback_by / 完成时间")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    lang = _lang(ctx)
    if policy_name is None:
        obj = ctx.find_root().obj
        policy_name = (obj.get("policy") if isinstance(obj, dict) else None) or os.environ.get(
            "AGENTDESK_POLICY", "generic"
        )
    policy = _load(policy_name, lang)
    start = _parse_at(at, lang)
    done = _parse_at(done_at, lang) if done_at else None
    try:
        due = policy.deadlines(kind, severity, area, tier, start=start, done_at=done)
        applied = policy.applicable(kind, severity, area, tier)
    except UnknownNameError as exc:
        _unknown(exc.field, exc.value, exc.valid, lang)
    if as_json:
        print_json({key: value.isoformat() for key, value in due.items()})
        return
    out = console()
    out.print(
        Text(
            msg(
                "cli.due_title",
                lang,
                policy=policy.name,
                kind=_kind_label(policy, kind, lang),
                severity=label("severity", severity, lang),
                area=label("area", area, lang),
                tier=label("tier", tier, lang),
                start=start.isoformat(sep=" ", timespec="minutes"),
            ),
            style="bold",
        )
    )
    if not due:
        out.print(Text(msg("cli.no_deadlines", lang)))
        return
    table = _heavy_table(lang, None, ("clock", "deadline", "limit", "rule"))
    for item in applied:
        key = f"{item.clock}_by"
        limit = _limit_text(item.limit, lang)
        if item.limit.anchor == "done" and done is None:
            limit = f"{limit} {msg('cli.projected', lang)}"
        table.add_row(
            Text(f"{label('clock', item.clock, lang)} ({key})"),
            Text(due[key].isoformat(sep=" ", timespec="minutes")),
            Text(limit),
            Text(f"{item.note}\n{item.source}" if item.note else item.source),
        )
    out.print(table)
