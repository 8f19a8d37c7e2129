"""Business acceptance materials: every missing item told at once （一次性告知）, both languages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from agentdesk.business import (
    CUSTOMER_KINDS,
    BusinessError,
    BusinessType,
    UnknownBusinessError,
    complete_line,
    get_business_type,
    load_business_types,
    load_materials,
    load_situations,
    missing,
    missing_line,
    read_catalog,
)
from agentdesk.paths import data_dir
from agentdesk.policy.names import KINDS
from agentdesk.scripts import list_separator, load_scripts

REQUIRED_TYPES = {"install", "move", "transfer", "suspend", "cancel", "change_package"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _departments() -> set[str]:
    with open(data_dir() / "demo" / "people.toml", "rb") as fh:
        return {d["code"] for d in tomllib.load(fh)["department"]}


def test_required_business_types() -> None:
    types = load_business_types()
    assert REQUIRED_TYPES <= set(types)
    assert types["install"].zh == "新装" and types["move"].zh == "移机"
    assert types["transfer"].zh == "过户" and types["cancel"].zh == "销户"
    assert "暂停" in types["suspend"].zh and types["change_package"].zh == "变更套餐"


def test_work_order_kind_and_department() -> None:
    types = load_business_types()
    departments = _departments()
    for bt in types.values():
        assert bt.work_order_kind in KINDS, bt.id
        assert bt.department in departments, bt.id
        assert bt.work_order_kind == ("install" if bt.id == "install" else "business")
    assert types["install"].department == "INST" and types["move"].department == "INST"
    for ident in ("transfer", "suspend", "cancel", "change_package"):
        assert types[ident].department == "BILL"


def test_every_type_and_material_has_both_languages() -> None:
    for bt in load_business_types().values():
        assert CJK.search(bt.name("zh_CN")) and not CJK.search(bt.name("en")), bt.id
        for kind in CUSTOMER_KINDS:
            for m in bt.materials(kind, bt.situations):
                assert CJK.search(m.label("zh_CN")) and not CJK.search(m.label("en")), m.id
    for m in load_materials().values():
        assert m.zh.strip() and m.en.strip()
        # Items are joined with the list separator; a label containing it would read as two.
        assert list_separator("zh_CN") not in m.zh, m.id
        assert list_separator("en") not in m.en, m.id
    for s in load_situations().values():
        assert CJK.search(s.label("zh")) and not CJK.search(s.label("en"))


def test_organization_and_individual_differ() -> None:
    for bt in load_business_types().values():
        ind = {m.id for m in bt.materials("individual")}
        org = {m.id for m in bt.materials("organization")}
        assert ind and org and ind != org, bt.id
    org = [m.id for m in get_business_type("install").materials("organization")]
    assert org == ["business_licence", "handler_id", "intro_letter"]
    labels = [m.zh for m in get_business_type("install").materials("organization")]
    assert labels == ["营业执照副本复印件（加盖公章）", "经办人身份证件", "单位介绍信"]
    assert [m.id for m in get_business_type("install").materials()] == ["owner_id"]


def test_situations_add_materials_once() -> None:
    install = get_business_type("install")
    ids = [m.id for m in install.materials("individual", ["tenant", "proxy", "tenant"])]
    assert ids == ["owner_id", "lease_contract", "proxy_id"]
    # A situation that does not apply to a type adds nothing; an unknown one is an error.
    assert get_business_type("cancel").materials("individual", ["tenant"]) == get_business_type("cancel").materials()
    with pytest.raises(UnknownBusinessError) as info:
        install.materials("individual", ["alien"])
    assert "tenant" in info.value.valid


def test_missing_keeps_reading_order() -> None:
    cancel = get_business_type("cancel")
    assert [m.id for m in missing(cancel, set())] == ["owner_id", "equipment", "fees_settled"]
    assert [m.id for m in missing("cancel", {"equipment", "not_a_material"})] == ["owner_id", "fees_settled"]
    assert missing("cancel", {"owner_id", "equipment", "fees_settled"}) == []


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_missing_line_lists_everything_in_one_sentence(lang: str) -> None:
    bt = get_business_type("install")
    gaps = missing(bt, {"handler_id"}, "organization")
    line = missing_line(bt, {"handler_id"}, "organization", lang)
    assert "\n" not in line
    for m in gaps:
        assert m.label(lang) in line
    assert get_business_type("install").materials("organization")[1].label(lang) not in line  # the one they have
    joined = list_separator(lang).join(m.label(lang) for m in gaps)
    assert joined in line
    assert bt.name(lang) in line
    assert "{" not in line
    labels = [m.label(lang) for m in gaps]
    expected = load_scripts(lang).text("business.missing", business=bt.name(lang), missing=labels)
    assert line == expected


def test_missing_line_exact_chinese() -> None:
    line = missing_line("transfer", {"old_owner_id"}, "individual", "zh_CN")
    assert line.startswith("办理过户还需要以下材料：新户主有效身份证件原件、结清全部费用的缴费凭证。请您一次备齐")


def test_missing_line_with_situations() -> None:
    line = missing_line("install", {"owner_id"}, "individual", "en", situations=["tenant", "proxy"])
    assert "the tenancy agreement, the representative's valid ID document (original)" in line


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_nothing_missing_gives_empty_line_and_complete_line(lang: str) -> None:
    for bt in load_business_types().values():
        for kind in CUSTOMER_KINDS:
            have = {m.id for m in bt.materials(kind)}
            assert missing_line(bt, have, kind, lang) == ""
    done = complete_line("install", "WO-20261123-0001", "2026-11-28 17:00", lang)
    assert "WO-20261123-0001" in done and "2026-11-28 17:00" in done
    assert get_business_type("install").name(lang) in done


def test_unknown_names() -> None:
    with pytest.raises(UnknownBusinessError) as info:
        get_business_type("teleport")
    assert "install" in info.value.valid
    with pytest.raises(UnknownBusinessError, match="customer kind"):
        missing("install", set(), "alien")
    assert isinstance(get_business_type("move"), BusinessType)


def test_load_returns_a_fresh_dict() -> None:
    types = load_business_types()
    types.pop("install")
    assert "install" in load_business_types()


def test_bad_file_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text(
        '[material.a]\nzh = "甲"\nen = "a"\n'
        '[business.x]\nzh = "某"\nen = "X"\nwork_order_kind = "install"\ndepartment = "INST"\n'
        'individual = ["a"]\norganization = ["b"]\n',
        encoding="utf-8",
    )
    with pytest.raises(BusinessError) as info:
        read_catalog(bad)
    assert info.value.key == "business.x.organization"
    assert "m.toml" in str(info.value) and "'b'" in str(info.value)
    bad.write_text('[material.a]\nzh = "甲"\n', encoding="utf-8")
    with pytest.raises(BusinessError) as info:
        read_catalog(bad)
    assert info.value.key == "material.a.en"
