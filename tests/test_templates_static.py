"""Static checks of the Word templates in form_templates/: what every controlled form must
have (FORMS.md) and what the renderer relies on, read straight from the .docx files.

These run on the committed files, which admins revise in Word, so they check structure
(fields, styles, names), never exact bytes or run boundaries Word may change.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from lxml import etree

from recordkit.cases import schema
from recordkit.forms.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "form_templates"
ENTRIES: list[dict] = yaml.safe_load((TEMPLATES / "catalog.yaml").read_text(encoding="utf-8"))[
    "forms"
]
BY_CODE = {entry["code"]: entry for entry in ENTRIES}
CODES = list(BY_CODE)
FORMS = [c for c in CODES if BY_CODE[c]["type"] != "register"]
REGISTERS = [c for c in CODES if BY_CODE[c]["type"] == "register"]
PROFILES = {p.stem for p in (ROOT / "recordkit" / "profiles").glob("*.yaml")}
CATALOG_KEYS = [
    "code",
    "title",
    "file",
    "type",
    "record_type",
    "paper",
    "source",
    "retention",
    "kinds",
    "profiles",
    "when",
    "order",
    "effective",
    "extra_fields",
]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
EMU_PER_MM = 36000

# Deadlines from the case clock that a notice must print (FORMS.md / PROFILES.md).
CLOCK_NEEDED = {
    "F09": {"clock.acceptance_due", "clock.reply_due"},
    "F13": {"clock.reply_due"},
    "F19": {"clock.original_due", "clock.extended_due"},
}


# --------------------------------------------------------------------------- helpers


def path_of(code: str) -> Path:
    return TEMPLATES / BY_CODE[code]["file"]


def parts(code: str) -> dict[str, bytes]:
    with zipfile.ZipFile(path_of(code)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml(code: str, name: str) -> etree._Element:
    return etree.fromstring(parts(code)[name])


def paragraph_texts(root: etree._Element) -> list[str]:
    """Each paragraph's text; a tag Word split over several runs reads whole again."""
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]


def part_names(code: str, kind: str) -> list[str]:
    return sorted(n for n in parts(code) if re.fullmatch(rf"word/{kind}\d*\.xml", n))


def body_text(code: str) -> str:
    return "\n".join(paragraph_texts(xml(code, "word/document.xml")))


def tags(text: str) -> list[str]:
    return re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text)


# --------------------------------------------------------------------------- catalog ↔ files


def test_catalog_entries_and_files_agree():
    files = {p.name for p in TEMPLATES.glob("*.docx")}
    listed = [entry["file"] for entry in ENTRIES]
    assert len(listed) == len(set(listed)) and len(CODES) == len(ENTRIES), (
        "duplicate codes or files"
    )
    assert files == set(listed), (
        f"not in catalog: {files - set(listed)}; missing files: {set(listed) - files}"
    )
    for entry in ENTRIES:
        # ``required`` (content that must not be empty, issue 10) is optional and comes last.
        assert list(entry) in (CATALOG_KEYS, [*CATALOG_KEYS, "required"]), entry["code"]
        assert entry["file"] == f"{entry['code']}-{entry['title']}.docx"
        assert re.fullmatch(r"[FR]\d{2}", entry["code"])


@pytest.mark.parametrize("code", CODES)
def test_catalog_entry_values(code):
    entry = BY_CODE[code]
    assert entry["type"] in ("form", "notice", "register")
    assert entry["paper"] == ("A4 landscape" if entry["type"] == "register" else "A4 portrait")
    assert entry["retention"] in ("Y", "D30", "D10")
    rtype = schema.RECORD_TYPES[entry["record_type"]]
    if rtype.kinds:
        assert entry["kinds"] and set(entry["kinds"]) <= set(rtype.kinds)
    else:
        assert entry["kinds"] == [], "this record type has no kinds"
    assert set(entry["profiles"]) <= PROFILES, set(entry["profiles"]) - PROFILES
    assert (
        entry["when"] == ""
        or entry["when"] in rtype.groups
        or schema.is_known_path(entry["when"], rtype)
    )
    assert isinstance(entry["order"], int)
    # The source names the procedure, not an internal "seed NNN" (issue 10 item 14).
    assert re.search(r"程序|制度|规程|办法|方案|规定|流程|表|管理", entry["source"]), entry[
        "source"
    ]
    assert not re.search(r"seed \d{3}", entry["source"])
    for key, label in entry["extra_fields"].items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key) and isinstance(label, str) and label


def test_catalog_loads_and_every_template_checks_clean():
    """The project's own loader and `forms check` accept every entry and file."""
    catalog = Catalog(TEMPLATES)
    assert catalog.codes() == sorted(CODES, key=lambda c: (BY_CODE[c]["order"], c))
    for form in catalog.forms.values():
        assert catalog.check(form) == [], form.code


@pytest.mark.parametrize("code", CODES)
def test_extra_fields_used_are_declared(code):
    used = set(re.findall(r"\b(?:case|r)\.extra\.([A-Za-z_]\w*)", body_text(code)))
    assert used == set(BY_CODE[code]["extra_fields"])


# --------------------------------------------------------------------------- page and fonts


@pytest.mark.parametrize("code", CODES)
def test_a4_page_orientation_and_margins(code):
    section = Document(str(path_of(code))).sections[0]
    landscape = BY_CODE[code]["paper"] == "A4 landscape"
    size = (section.page_width.mm, section.page_height.mm)
    assert size == pytest.approx((297, 210) if landscape else (210, 297), abs=0.5)
    assert section.orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT)
    for margin in (section.bottom_margin, section.left_margin, section.right_margin):
        assert Mm(15) <= margin <= Mm(25)
    # The top margin leaves room for the header's QR and case number (issue 14 point 13).
    assert Mm(25) <= section.top_margin <= Mm(35)


def _rfonts(element: etree._Element) -> dict[str, str]:
    found = element.find(f"{W}rPr/{W}rFonts")
    return {k.split("}")[1]: v for k, v in found.attrib.items()} if found is not None else {}


@pytest.mark.parametrize("code", CODES)
def test_chinese_fonts_are_named(code):
    styles = xml(code, "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault")
    assert _rfonts(defaults)["eastAsia"] == "宋体"
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    normal = _rfonts(by_id["Normal"])
    assert normal["eastAsia"] == "宋体" and normal["ascii"] == normal["hAnsi"] == "Times New Roman"
    assert not any(k.endswith("Theme") for k in normal), "theme fonts would override the named ones"
    size = by_id["Normal"].find(f"{W}rPr/{W}sz")
    assert size is not None and size.get(f"{W}val") == "21"  # 10.5 pt
    # The title paragraph's style names 黑体 and is 16 pt.
    document = xml(code, "word/document.xml")
    title = next(
        p
        for p in document.iter(f"{W}p")
        if "".join(t.text or "" for t in p.iter(f"{W}t")) == BY_CODE[code]["title"]
    )
    style = by_id[title.find(f"{W}pPr/{W}pStyle").get(f"{W}val")]
    assert _rfonts(style)["eastAsia"] == "黑体"
    assert style.find(f"{W}rPr/{W}sz").get(f"{W}val") == "32"


# --------------------------------------------------------------------------- header / footer


@pytest.mark.parametrize("code", CODES)
def test_header_has_org_code_and_version(code):
    texts = [t for name in part_names(code, "header") for t in paragraph_texts(xml(code, name))]
    joined = "\n".join(texts)
    assert "{{ org.name }}" in joined
    assert re.search(rf"表单编号\s*{code}\b", joined), joined
    assert re.search(r"第\s*\d+\s*版", joined), (
        "the renderer reads the version from 第N版 in the header"
    )
    assert "生效日期 {{ form.effective }}" in joined, "the header carries the 生效日期"
    assert set(tags(joined)) <= {
        "{{ org.name }}",
        "{{ case.case_no }}",
        "{{ form.effective }}",
        "{% if form.effective %}",
        "{% endif %}",
    }, "the version stays literal text"


@pytest.mark.parametrize("code", CODES)
def test_footer_has_page_and_numpages_fields(code):
    names = part_names(code, "footer")
    assert names
    found = set()
    for name in names:
        root = xml(code, name)
        kinds = [f.get(f"{W}fldCharType") for f in root.iter(f"{W}fldChar")]
        instructions = [i.text.strip().split()[0] for i in root.iter(f"{W}instrText")]
        assert (
            kinds.count("begin")
            == kinds.count("separate")
            == kinds.count("end")
            == len(instructions)
        )
        found |= set(instructions)
        text = "".join(paragraph_texts(root))
        if instructions:
            assert "第" in text and "页" in text and "共" in text
    assert {"PAGE", "NUMPAGES"} <= found


# --------------------------------------------------------------------------- QR placeholder and title


def _qr_drawings(root: etree._Element) -> list[etree._Element]:
    return [
        d
        for d in root.iter(f"{W}drawing")
        if any(p.get("name") == "RK_QR" for p in d.iter(f"{WP}docPr"))
    ]


def _header_name(code: str) -> str:
    """The header part that holds the QR (the one every page repeats)."""
    names = [n for n in part_names(code, "header") if _qr_drawings(xml(code, n))]
    assert len(names) == 1, "exactly one header holds the RK_QR picture"
    return names[0]


@pytest.mark.parametrize("code", CODES)
def test_qr_picture_and_case_number_in_the_header(code):
    """Every page repeats the header, so every page carries the QR and the case number
    (issue 14 point 13); the body holds no second QR."""
    assert not _qr_drawings(xml(code, "word/document.xml")), "the QR belongs in the header"
    header = xml(code, _header_name(code))
    drawings = _qr_drawings(header)
    assert len(drawings) == 1
    extent = drawings[0].find(f".//{WP}extent")
    width, height = (int(extent.get(k)) / EMU_PER_MM for k in ("cx", "cy"))
    assert 15 <= width <= 22 and 15 <= height <= 22
    cell = next(tc for tc in header.iter(f"{W}tc") if drawings[0] in list(tc.iter(f"{W}drawing")))
    assert "{{ case.case_no }}" in "".join(paragraph_texts(cell))
    document = xml(code, "word/document.xml")
    assert BY_CODE[code]["title"] in paragraph_texts(document.find(f"{W}body")[0])


@pytest.mark.parametrize("code", CODES)
def test_qr_picture_has_its_own_png(code):
    members = parts(code)
    name = _header_name(code)
    header = xml(code, name)
    embed = _qr_drawings(header)[0].find(f".//{A}blip").get(f"{R}embed")
    rels = etree.fromstring(members[name.replace("word/", "word/_rels/") + ".rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == embed)
    media = "word/" + target.lstrip("/").removeprefix("word/")
    assert members[media].startswith(b"\x89PNG")
    users = [r for r in rels if r.get("Target") == target]
    blips = [b for b in header.iter(f"{A}blip") if b.get(f"{R}embed") == embed]
    document_rels = etree.fromstring(members["word/_rels/document.xml.rels"])
    assert not [r for r in document_rels if r.get("Target") == target]
    assert len(users) == 1 and len(blips) == 1, (
        "the renderer swaps this media file: nothing else may share it"
    )


# --------------------------------------------------------------------------- tables and text


@pytest.mark.parametrize("code", CODES)
def test_rows_grow_never_clip(code):
    for height in xml(code, "word/document.xml").iter(f"{W}trHeight"):
        assert height.get(f"{W}hRule") == "atLeast", "exact row heights clip long text"


@pytest.mark.parametrize("code", CODES)
def test_bordered_table_with_shaded_labels(code):
    document = xml(code, "word/document.xml")
    bordered = [
        t
        for t in document.iter(f"{W}tbl")
        if (b := t.find(f"{W}tblPr/{W}tblBorders/{W}insideV")) is not None
        and b.get(f"{W}val") == "single"
    ]
    if BY_CODE[code]["type"] == "notice" and not bordered:
        return  # a letter without a table
    assert bordered
    fills = {s.get(f"{W}fill") for t in bordered for s in t.iter(f"{W}shd")}
    assert fills - {None, "auto", "FFFFFF"}, "label cells are shaded"


@pytest.mark.parametrize("code", CODES)
def test_tags_are_balanced_in_each_paragraph(code):
    for name in ["word/document.xml", *part_names(code, "header"), *part_names(code, "footer")]:
        for text in paragraph_texts(xml(code, name)):
            assert text.count("{{") == text.count("}}") and text.count("{%") == text.count("%}"), (
                text
            )


@pytest.mark.parametrize("code", CODES)
def test_document_properties_hold_no_tags(code):
    for name, data in parts(code).items():
        if name.startswith("docProps/") and name.endswith(".xml"):
            assert set(tags(data.decode("utf-8"))) <= {"{{ form.title }}"}, name


@pytest.mark.parametrize("code", FORMS)
def test_signature_and_date_lines(code):
    text = body_text(code)
    assert re.search(r"签字|签收", text)
    assert "____年__月__日" in text or "年__月__日" in text


@pytest.mark.parametrize("code", sorted(set(CLOCK_NEEDED) & set(CODES)))
def test_notices_print_clock_deadlines(code):
    used = set(re.findall(r"clock\.\w+", body_text(code)))
    assert CLOCK_NEEDED[code] <= used


@pytest.mark.parametrize("code", [c for c in FORMS if BY_CODE[c]["type"] == "notice"])
def test_letters_have_addressee_and_sign_off(code):
    texts = paragraph_texts(xml(code, "word/document.xml"))
    assert any("case.complainant.name" in t and t.endswith("：") for t in texts), "addressee line"
    assert any(t.startswith("{{ org.name }}") for t in texts), "落款"


# --------------------------------------------------------------------------- registers


@pytest.mark.parametrize("code", REGISTERS)
def test_register_header_row_and_row_loop(code):
    document = xml(code, "word/document.xml")
    table = next(
        t for t in document.iter(f"{W}tbl") if t.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None
    )
    rows = table.findall(f"{W}tr")
    texts = ["".join(paragraph_texts(tr)) for tr in rows]
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None, "header repeats on every page"
    assert texts[1].strip() == "{%tr for r in rows %}"
    assert texts[-1].strip() == "{%tr endfor %}"
    data = rows[2:-1]
    assert len(data) == 1 and "{{ r.case_no }}" in texts[2]
    if code == "R01":  # 是否超期 comes from the case clock
        assert "{{ r.overdue }}" in texts[2]
    header_cells = ["".join(paragraph_texts(tc)) for tc in rows[0].findall(f"{W}tc")]
    assert len(header_cells) == len(data[0].findall(f"{W}tc"))
    if code == "R01":
        for column in (
            "编号",
            "日期",
            "投诉人",
            "方式",
            "内容摘要",
            "分类",
            "等级",
            "责任部门",
            "处理结果",
            "办结日期",
            "是否超期",
            "满意度",
        ):
            assert column in header_cells


@pytest.mark.parametrize("code", REGISTERS)
def test_register_period_count_and_empty_note(code):
    texts = [t.strip() for t in paragraph_texts(xml(code, "word/document.xml"))]
    joined = "\n".join(texts)
    assert "{{ period }}" in joined and "{{ count }}" in joined
    start = texts.index("{%p if not rows %}")
    assert "无记录" in texts[start + 1] and texts[start + 2] == "{%p endif %}"


# --------------------------------------------------------------------------- the authoring tool


def _build_tool():
    spec = importlib.util.spec_from_file_location(
        "build_templates", ROOT / "tools" / "build_templates.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_build_tool_is_reproducible_and_covers_catalog(tmp_path):
    tool = _build_tool()
    specs = {spec.code: spec for spec in tool.SPECS}
    for code, spec in specs.items():
        tool.check_spec(spec)
        if code in BY_CODE:  # the spec and the committed catalog entry agree on metadata
            assert spec.catalog_entry() == BY_CODE[code]
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert tool.main(["--out", str(out), "F01", "R01"]) == 0
    for name in ("F01-申诉和投诉处理及反馈表.docx", "R01-投诉登记台帐.docx"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert [
        f["code"]
        for f in yaml.safe_load((first / "catalog.yaml").read_text(encoding="utf-8"))["forms"]
    ] == ["F01", "R01"]
    assert Catalog(first).check(Catalog(first).get("F01")) == []


def test_build_tool_keeps_a_template_revised_in_word(tmp_path, capsys):
    tool = _build_tool()
    assert tool.main(["--out", str(tmp_path), "--no-catalog", "F13"]) == 0
    target = tmp_path / "F13-投诉受理回执.docx"
    with zipfile.ZipFile(target) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    header = next(n for n in members if re.fullmatch(r"word/header\d*\.xml", n))
    members[header] = members[header].replace("第1版".encode(), "第2版".encode())
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    revised = target.read_bytes()
    assert tool.main(["--out", str(tmp_path), "--no-catalog", "F13"]) == 0
    assert target.read_bytes() == revised
    assert "--force" in capsys.readouterr().out


# --------------------------------------------------------------------------- what each seed describes

# What each form's seed paragraph (FORMS.md "seed" column, ../shared/seeds/) says the paper form
# records; a revision in Word may reword a label, so these are the words an office would keep.
SEED_DETAILS = {
    "F04": [
        "车辆牌照",
        "检测项目",
        "原始记录核查",
        "检测过程分析",
        "处理方案",
        "责任人及奖惩",
        "说服工作",
        "复检",
        "重复检测费用",
        "不得为难用户",
    ],
    "F05": [
        "发生时间",
        "发生地点",
        "影响程度",
        "书面材料",
        "信息来源",
        "专项调查组",
        "附加审核",
        "管理评审",
        "计量器具、仪器设备失准",
    ],
    "F06": [
        "投诉内容分类",
        "接待人",
        "运营主管处理记录",
        "承诺反馈时间",
        "不超过三天",
        "处理进度反馈",
        "涉及赔偿",
        "营业部总经理",
    ],
    "F07": [
        "车辆牌照号码",
        "复述",
        "重大投诉",
        "涉及媒体、律师、警察、消协、政府机关",
        "半个小时",
        "责任部门",
        "客户部跟踪",
        "补派",
    ],
    "F10": ["接收日期", "投诉人", "方式", "投诉内容摘要", "接收人", "转交QA时间", "GL-004-00"],
    "F11": [
        "投诉编号",
        "QA",
        "复核人",
        "投诉时间",
        "投诉要求",
        "受理部门",
        "研发部门和质量部门",
        "商务部门和QA",
    ],
    "F14": [
        "工程名称",
        "部位",
        "施工单位",
        "建设单位",
        "保修期",
        "照片",
        "视频",
        "文件",
        "勘察",
        "两个月",
        "投诉方垫支",
    ],
    "F15": [
        "投诉单位",
        "品名",
        "规格",
        "批号",
        "生产企业",
        "投诉主要内容",
        "Ⅰ类",
        "Ⅴ类",
        "暂停",
        "一天内",
        "质量机构负责人",
    ],
    "F16": ["专门负责人", "书面意见", "分管合伙人", "回避", "所务会议", "处理结果", "满意度调查"],
    "F17": [
        "投诉编号",
        "质量异常",
        "非质量异常",
        "调查分析",
        "责任归属",
        "处理对策",
        "执行与跟踪",
        "审批",
    ],
    "F20": ["现场初步调查", "是否属于质量问题", "处理意见", "照片", "上级主管决策", "内联单"],
    "F21": [
        "回访日期",
        "回访方式",
        "回访人",
        "总体满意度",
        "处理及时性",
        "服务态度",
        "意见和建议",
        "后续措施",
    ],
    "F22": ["投诉概况", "调查过程", "原因", "处理结果", "改进措施", "统计", "领导层"],
    "F23": [
        "发生时间",
        "发生地点",
        "事故范围",
        "事故等级",
        "事故经过",
        "事故原因",
        "责任范围",
        "损失金额",
        "紧急措施",
        "纠正措施",
        "上报时限",
        "case.grade_rule",
        "case.report_due",
        "来源投诉",
    ],
    "F24": ["调查情况", "处理意见", "处理结果", "企业负责人", "公布", "四不放过"],
    "F25": ["签发部门", "被通知单位", "存在问题", "整改要求", "整改期限", "复查", "整改方案"],
    "F26": [
        "不符合来源",
        "投诉编号",
        "原因分析",
        "纠正措施",
        "预防措施",
        "责任人",
        "完成期限",
        "验证人",
        "验证结论",
        "检验检测工作质量方面的问题",
    ],
    "F27": [
        "用户单位",
        "产品型号",
        "产品编号",
        "故障现象",
        "是否三包",
        "处理情况",
        "换件名称",
        "数量",
        "换件原因",
        "用户评价",
        "用户签字（盖章）",
        "服务完成后由用户签字确认",
        "不允许在服务前要求用户签字",
    ],
    "F28": ["安装调试情况", "培训情况", "验收意见", "客户签字"],
    "F29": ["日期", "用户", "故障", "处理", "工程师", "结果"],
    "R02": ["日期", "方式", "顾客", "事由", "处理", "答复日期", "时间顺序"],
    "R03": ["日期", "服务单编号", "用户单位", "产品型号", "换件", "工程师", "三包", "评价"],
}


@pytest.mark.parametrize("code", sorted(SEED_DETAILS))
def test_form_carries_what_its_seed_describes(code):
    text = body_text(code).replace("\n", "")
    missing = [word for word in SEED_DETAILS[code] if word not in text]
    assert missing == [], f"{code}: {missing}"
