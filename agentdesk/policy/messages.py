"""User-visible texts of the policy layer and its CLI, in Chinese and English.

Kept here rather than in the app-wide catalog so the policy layer stays self-contained;
the language is chosen like the rest of the product: ``AGENTDESK_LANG``, then ``LANG``
(anything starting with ``zh`` is Chinese, everything else English).
"""

from __future__ import annotations

import os

ZH = "zh_CN"
EN = "en"

MESSAGES: dict[str, dict[str, str]] = {
    ZH: {
        # validation
        "err.read": "无法读取文件：{error}",
        "err.toml": "不是有效的 TOML:{error}",
        "err.unknown_key": "未知的键“{key}”；有效的键：{valid}",
        "err.type": "应为{expected}，实际为 {got}",
        "err.value": "取值无效：{error}",
        "err.unknown_name": "未知的{field}“{value}”；有效值：{valid}",
        "err.required": "必须填写",
        "err.no_clocks": "每条规则至少要设一个时限（{valid}）",
        "err.no_selector_values": "列表不能为空",
        "err.conflict": "与 {other} 优先级相同，且对 kind={kind} severity={severity} area={area} tier={tier} 都设了“{clock}”；请把其中一条写得更具体",
        "err.callback_conflict": "与 {other} 优先级相同，且都适用于 kind={kind} tier={tier}；请把其中一条写得更具体",
        "err.callback_in_rules": "回访时限请写在 [[callbacks]] 的 within 中",
        "err.not_found": "没有名为“{name}”的预设；可用：{valid}",
        "err.extends_cycle": "继承形成了循环：{chain}",
        "err.ratio": "应在 0 与 1 之间（不含 0）",
        "err.sampled_needs_rate": "抽样回访（sampled）必须给出 rate",
        "err.kind_clash": "“{name}”已是标准类型，不能再定义",
        "err.country": "holidays 库不认识国家/地区代码“{country}”",
        "err.calendar": "日历无效：{error}",
        # CLI
        "cli.policy_help": "服务标准预设：列出、查看、校验",
        "cli.sla_help": "按服务标准计算时限",
        "cli.list_title": "服务标准预设",
        "cli.col_name": "名称",
        "cli.col_title": "标题",
        "cli.col_source": "依据",
        "cli.col_file": "文件",
        "cli.col_kind": "类型",
        "cli.col_severity": "等级",
        "cli.col_area": "区域",
        "cli.col_tier": "客户级别",
        "cli.col_clock": "时限",
        "cli.col_limit": "时长",
        "cli.col_note": "说明",
        "cli.col_deadline": "截止时间",
        "cli.col_rule": "依据规则",
        "cli.col_mode": "方式",
        "cli.col_within": "完成后",
        "cli.col_rate": "比例",
        "cli.col_every": "周期",
        "cli.col_method": "途径",
        "cli.col_segment": "客户群",
        "cli.any": "全部",
        "cli.rules_title": "时限规则",
        "cli.callbacks_title": "回访规则",
        "cli.calendar_title": "工作日历",
        "cli.service_title": "服务要求",
        "cli.workdays": "工作日",
        "cli.windows": "工作时段",
        "cli.holidays": "法定节假日及调休",
        "cli.holidays_none": "不计节假日",
        "cli.extra_holidays": "本地增加的休息日",
        "cli.extra_workdays": "本地增加的工作日",
        "cli.cutoffs": "截止受理时间",
        "cli.warn_ratio": "预警阈值",
        "cli.answer": "接听",
        "cli.answer_value": "{seconds} 秒内 / 铃响 {rings} 声内",
        "cli.hotline_24h": "24 小时受理",
        "cli.staffed_hours": "必须有人值守",
        "cli.maintenance_notice": "维护提前公告",
        "cli.escalation": "逐级支撑",
        "cli.extends": "继承自",
        "cli.extra_kinds": "增加的类型",
        "cli.yes": "是",
        "cli.none": "无",
        "cli.check_ok": "{file}：校验通过（{rules} 条时限规则，{callbacks} 条回访规则）",
        "cli.check_failed": "{file}：发现 {count} 个问题",
        "cli.unknown_name": "未知的{field}“{value}”。有效值：{valid}",
        "cli.bad_datetime": "不是 ISO 日期时间：{value}（例如 2026-11-23T09:30）",
        "cli.due_title": "{policy}:{kind} / {severity} / {area} / {tier}，受理于 {start}",
        "cli.no_deadlines": "此类请求在该标准下没有时限。",
        "cli.from_done": "完成后计",
        "cli.projected": "（按最迟完成时间推算）",
        # field names
        "field.policy": "预设",
        "field.kind": "类型",
        "field.severity": "等级",
        "field.area": "区域",
        "field.tier": "客户级别",
        # clocks
        "clock.transfer": "当场处理或转办",
        "clock.acknowledge": "接转办响应",
        "clock.respond": "响应",
        "clock.contact": "联系客户预约",
        "clock.forward": "转交相关部门",
        "clock.dispatch": "派单",
        "clock.assign": "派出施工",
        "clock.reply": "答复",
        "clock.reply_limit": "答复最迟",
        "clock.resolve": "办结/排除",
        "clock.callback": "回访",
        # kinds, severities, areas, tiers
        "kind.consult": "咨询",
        "kind.complaint": "投诉",
        "kind.repair": "报修",
        "kind.install": "安装",
        "kind.restore": "业务恢复",
        "kind.business": "业务受理",
        "severity.general": "一般",
        "severity.major": "重大",
        "severity.critical": "特大",
        "severity.pipeline": "管道",
        "area.city": "城网",
        "area.suburb": "城郊",
        "area.rural": "农网",
        "tier.regular": "普通",
        "tier.vip": "VIP",
        "tier.big": "大客户",
        "tier.private": "专网",
        "mode.always": "逐户",
        "mode.sampled": "抽样",
        "mode.periodic": "定期",
        "unit.dispatch_day_counts": "含派单当天",
        "unit.cutoff": "{time} 后受理从次日上班起计",
    },
    EN: {
        "err.read": "cannot read the file: {error}",
        "err.toml": "not valid TOML: {error}",
        "err.unknown_key": "unknown key {key!r}; valid keys: {valid}",
        "err.type": "must be {expected}, got {got}",
        "err.value": "invalid value: {error}",
        "err.unknown_name": "unknown {field} {value!r}; valid: {valid}",
        "err.required": "required",
        "err.no_clocks": "a rule must set at least one clock ({valid})",
        "err.no_selector_values": "the list must not be empty",
        "err.conflict": "sets {clock!r} for kind={kind} severity={severity} area={area} tier={tier} with the same precedence as {other}; make one of them more specific",
        "err.callback_conflict": "applies to kind={kind} tier={tier} with the same precedence as {other}; make one of them more specific",
        "err.callback_in_rules": "callback windows belong in [[callbacks]] as within = ...",
        "err.not_found": "no preset named {name!r}; available: {valid}",
        "err.extends_cycle": "extends forms a cycle: {chain}",
        "err.ratio": "must be above 0 and below 1",
        "err.sampled_needs_rate": "a sampled callback needs a rate",
        "err.kind_clash": "{name!r} is already a standard kind",
        "err.country": "the holidays library does not know country code {country!r}",
        "err.calendar": "invalid calendar: {error}",
        "cli.policy_help": "Service-standard presets: list, show, check",
        "cli.sla_help": "Deadlines by a service standard",
        "cli.list_title": "Service-standard presets",
        "cli.col_name": "Name",
        "cli.col_title": "Title",
        "cli.col_source": "Source",
        "cli.col_file": "File",
        "cli.col_kind": "Kind",
        "cli.col_severity": "Severity",
        "cli.col_area": "Area",
        "cli.col_tier": "Tier",
        "cli.col_clock": "Clock",
        "cli.col_limit": "Limit",
        "cli.col_note": "Note",
        "cli.col_deadline": "Deadline",
        "cli.col_rule": "Rule",
        "cli.col_mode": "Mode",
        "cli.col_within": "Within",
        "cli.col_rate": "Rate",
        "cli.col_every": "Every",
        "cli.col_method": "Method",
        "cli.col_segment": "Segment",
        "cli.any": "any",
        "cli.rules_title": "Time-limit rules",
        "cli.callbacks_title": "Callback rules",
        "cli.calendar_title": "Calendar",
        "cli.service_title": "Service standards",
        "cli.workdays": "Working days",
        "cli.windows": "Working hours",
        "cli.holidays": "Public holidays and make-up days",
        "cli.holidays_none": "none",
        "cli.extra_holidays": "Extra days off",
        "cli.extra_workdays": "Extra working days",
        "cli.cutoffs": "Cut-offs",
        "cli.warn_ratio": "Warning at",
        "cli.answer": "Answer",
        "cli.answer_value": "within {seconds} s / {rings} rings",
        "cli.hotline_24h": "24-hour hotline",
        "cli.staffed_hours": "Must be staffed",
        "cli.maintenance_notice": "Maintenance notice ahead",
        "cli.escalation": "Escalation levels",
        "cli.extends": "Extends",
        "cli.extra_kinds": "Extra kinds",
        "cli.yes": "yes",
        "cli.none": "none",
        "cli.check_ok": "{file}: OK ({rules} time-limit rules, {callbacks} callback rules)",
        "cli.check_failed": "{file}: {count} problem(s)",
        "cli.unknown_name": "Unknown {field} {value!r}. Valid: {valid}",
        "cli.bad_datetime": "Not an ISO date-time: {value} (e.g. 2026-11-23T09:30)",
        "cli.due_title": "{policy}: {kind} / {severity} / {area} / {tier}, accepted {start}",
        "cli.no_deadlines": "No time limit applies to such a request under this standard.",
        "cli.from_done": "after completion",
        "cli.projected": "(projected from the latest allowed completion)",
        "field.policy": "policy",
        "field.kind": "kind",
        "field.severity": "severity",
        "field.area": "area",
        "field.tier": "tier",
        "clock.transfer": "Handle or transfer",
        "clock.acknowledge": "Acknowledge transfer",
        "clock.respond": "Respond",
        "clock.contact": "Contact customer",
        "clock.forward": "Forward to department",
        "clock.dispatch": "Dispatch",
        "clock.assign": "Send installer",
        "clock.reply": "Reply",
        "clock.reply_limit": "Reply at the latest",
        "clock.resolve": "Resolve",
        "clock.callback": "Callback",
        "kind.consult": "consultation",
        "kind.complaint": "complaint",
        "kind.repair": "repair",
        "kind.install": "installation",
        "kind.restore": "service restoration",
        "kind.business": "business acceptance",
        "severity.general": "general",
        "severity.major": "major",
        "severity.critical": "critical",
        "severity.pipeline": "pipeline",
        "area.city": "city",
        "area.suburb": "suburb",
        "area.rural": "rural",
        "tier.regular": "regular",
        "tier.vip": "VIP",
        "tier.big": "big customer",
        "tier.private": "private network",
        "mode.always": "always",
        "mode.sampled": "sampled",
        "mode.periodic": "periodic",
        "unit.dispatch_day_counts": "dispatch day counts",
        "unit.cutoff": "after {time}: from next day's start of work",
    },
}


_override: str | None = None


def set_language(lang: str | None) -> None:
    """Force a language (``zh_CN`` / ``en``; anything starting with ``zh`` is Chinese), e.g.
    from the CLI's ``--lang``; ``None`` goes back to the environment."""
    global _override
    _override = None if lang is None else (ZH if lang.lower().startswith("zh") else EN)


def language() -> str:
    """The forced language, else ``zh_CN`` when AGENTDESK_LANG (else LC_ALL, else LANG)
    starts with ``zh``, otherwise ``en`` — the same order as the app's settings."""
    if _override is not None:
        return _override
    env = os.environ
    value = env.get("AGENTDESK_LANG") or env.get("LC_ALL") or env.get("LANG") or ""
    return ZH if value.lower().startswith("zh") else EN


def msg(key: str, /, lang: str | None = None, **kwargs: object) -> str:
    """The text for ``key`` in ``lang`` (default: :func:`language`), formatted with ``kwargs``.

    Falls back to English, then to the key itself, so a missing text never crashes the CLI.
    """
    table = MESSAGES.get(lang or language(), MESSAGES[EN])
    template = table.get(key) or MESSAGES[EN].get(key) or key
    try:
        return template.format(**kwargs)
    except (KeyError, IndexError, ValueError):
        return template


def label(group: str, name: str, lang: str | None = None) -> str:
    """A display label for a name of a group (``clock``, ``kind``, …); the name itself if unknown."""
    key = f"{group}.{name}"
    table = MESSAGES.get(lang or language(), MESSAGES[EN])
    return table.get(key) or MESSAGES[EN].get(key) or name


_TYPE_NAMES = {
    ZH: {
        "string": "字符串",
        "strings": "字符串或字符串列表",
        "list": "列表",
        "table": "表",
        "number": "数字",
        "integer": "整数",
        "bool": "true 或 false",
        "date": "日期（YYYY-MM-DD）",
        "time": "时间（HH:MM）",
        "limit": "时长字符串或表",
    },
    EN: {
        "string": "a string",
        "strings": "a string or a list of strings",
        "list": "a list",
        "table": "a table",
        "number": "a number",
        "integer": "an integer",
        "bool": "true or false",
        "date": "a date (YYYY-MM-DD)",
        "time": "a time (HH:MM)",
        "limit": "a duration string or a table",
    },
}


def type_name(kind: str, lang: str | None = None) -> str:
    """How an expected TOML type is called in an error message."""
    return _TYPE_NAMES.get(lang or language(), _TYPE_NAMES[EN]).get(kind, kind)
