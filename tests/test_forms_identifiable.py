"""Issue 14 point 13: forms that can be identified and handed out.

- every page of a multi-page form carries the QR and the case number (page header);
- tear-off slips (F13's stub, F18's 送达回执) stay whole on one page; long text goes on a
  续页 (attached sheet);
- R01's 内容摘要 is the case's ``summary`` or the first N characters + "(详见案卷)";
- F09's acceptance limit is the profile's, not a hard-coded "5 个工作日";
- the header carries the form's 生效日期 (catalog ``effective``).

The page layout is checked on PDFs made by the real LibreOffice; QR codes are decoded
from the rendered pages with zxing-cpp.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from conftest import SAMPLE_CASE, soffice_missing
from docx import Document
from pypdf import PdfReader

from recordkit.cases.store import CaseBook
from recordkit.cli import cli
from recordkit.config import init_workdir, load_config
from recordkit.forms.generator import make_generator
from recordkit.forms.qr import parse_payload
from recordkit.pdfpages import render_pdf_page

needs_soffice = pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")

CASE_NO = "TS-2026-0001"
LONG_CONTENT = "报告中抗压强度数据与我方送检记录不符，" * 120  # 2 280 characters
LONG_FINDINGS = "原始记录核查无误。" * 250


def invoke(runner, root: Path, *args: str):
    return runner.invoke(cli, ["--config", str(root), *args], obj={})


def long_case() -> dict:
    case = copy.deepcopy(SAMPLE_CASE)
    case["content"] = LONG_CONTENT
    case["investigation"]["findings"] = LONG_FINDINGS
    return case


def pdf_pages(path: Path) -> list[tuple[str, list[str]]]:
    """Each page's text and the QR payloads decoded from its rendered image."""
    import pypdfium2 as pdfium
    import zxingcpp

    texts = [page.extract_text() or "" for page in PdfReader(str(path)).pages]
    doc = pdfium.PdfDocument(str(path))
    try:
        codes = [
            [b.text for b in zxingcpp.read_barcodes(render_pdf_page(doc[i], 150))]
            for i in range(len(doc))
        ]
    finally:
        doc.close()
    return list(zip(texts, codes, strict=True))


def squeeze(text: str) -> str:
    """PDF text without the line breaks and spaces LibreOffice's line wrapping adds."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def long_forms(tmp_path_factory) -> dict[str, Path]:
    """F01, F13 and F18 of one case with very long content, as PDFs (LibreOffice)."""
    if soffice_missing():
        pytest.skip(soffice_missing() or "")
    root = tmp_path_factory.mktemp("long") / "work"
    config = init_workdir(root, org_name="漳州市示例检验检测中心", profile="service-centre")
    CaseBook(config).add(long_case())
    generator = make_generator(config)
    try:
        (case,), _ = generator.load_cases([CASE_NO])
        result = generator.run([(generator.catalog.get(c), case) for c in ("F01", "F13", "F18")])
        generator.to_pdf(result)
    finally:
        generator.close()
    assert not result.failures
    return {Path(p).name[:3]: Path(p) for p in result.pdfs}


# --------------------------------------------------------------------------- QR on every page


@needs_soffice
def test_every_page_of_a_multi_page_form_carries_qr_case_number_and_effective_date(long_forms):
    pages = pdf_pages(long_forms["F01"])
    assert len(pages) >= 3, "the long content makes F01 run over several pages"
    for number, (text, codes) in enumerate(pages, 1):
        payloads = [parse_payload(c) for c in codes]
        assert [(p.case_no, p.form_code) for p in payloads if p] == [(CASE_NO, "F01")], number
        assert CASE_NO in text, f"page {number} names the case"
        assert "生效日期 2026-12-01" in text, f"page {number} names the 生效日期"
        assert re.search(r"表单编号\s*F01\s*第\s*1\s*版", text), number


@needs_soffice
def test_the_archive_files_multi_page_forms_with_a_qr_on_every_page(long_forms, runner):
    """A QR on every page still identifies: pages in a row with the same QR are one form,
    so a scanned bundle of two multi-page forms is split into exactly two documents, and
    one multi-page form alone is filed whole (not split page by page)."""
    from pypdf import PdfWriter

    from recordkit.archive.service import Archive

    root = long_forms["F01"].parents[2]
    counts = {code: len(PdfReader(str(long_forms[code])).pages) for code in ("F01", "F18")}
    writer = PdfWriter()
    for code in ("F01", "F18"):
        for page in PdfReader(str(long_forms[code])).pages:
            writer.add_page(page)
    inbox = root / "archive" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    with open(inbox / "合订本.pdf", "wb") as handle:
        writer.write(handle)
    (inbox / "F13.pdf").write_bytes(long_forms["F13"].read_bytes())
    result = invoke(runner, root, "archive", "ingest", "--json")
    assert result.exit_code == 0, result.output
    outcomes = {r["original_name"]: r for r in json.loads(result.stdout)["results"]}
    bundle, single = outcomes["合订本.pdf"], outcomes["F13.pdf"]
    assert bundle["outcome"] == "filed" and bundle["form_code"] == "F01+F18"
    assert single["outcome"] == "filed" and single["form_code"] == "F13" and not single["parts"]
    with Archive(load_config(root)) as archive:
        docs = {d["form_code"]: d for d in archive.index.documents()}
    assert docs["F01"]["pages"] == counts["F01"] and docs["F18"]["pages"] == counts["F18"]
    assert docs["F13"]["pages"] == len(PdfReader(str(long_forms["F13"])).pages)


# --------------------------------------------------------------------------- tear-off slips


@needs_soffice
def test_f13_stub_and_receipt_stay_whole_on_page_one_long_content_on_a_continuation(long_forms):
    pages = [squeeze(text) for text, _codes in pdf_pages(long_forms["F13"])]
    first = pages[0]
    # The stub, the cut line and the receipt handed out: all on the first page.
    for words in ("存根（本单位留存）", "投诉人签收", "（沿此线剪开）", "投诉受理回执（交投诉人）",
                  "请妥善保管本回执"):  # fmt: skip
        assert words in first, words
        assert not any(words in page for page in pages[1:]), words
    clipped = LONG_CONTENT[:80] + "（详见续页）"
    assert squeeze(clipped) in first
    # The attached sheet holds the content in full, from page two on.
    assert "续页" in pages[1] and "投诉内容（全文，接上页）" in pages[1]
    furniture = (
        r"漳州市示例检验检测中心表单编号F13第1版生效日期2026-12-01TS-2026-0001|第\d+页共\d+页"
    )
    rest = "".join(re.sub(furniture, "", page) for page in pages[1:])
    assert squeeze(LONG_CONTENT) in rest


def test_f13_with_short_content_has_no_continuation(workdir, book, sample_case, runner):
    book.add(sample_case)
    result = runner.invoke(cli, ["fill", "F13", CASE_NO])
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in Document(str(_out(workdir, "F13"))).paragraphs)
    assert "续　页" not in text and "（详见续页）" not in _all_text(workdir, "F13")
    assert sample_case["content"] in _all_text(workdir, "F13")


@needs_soffice
def test_f18_delivery_receipt_stays_whole_on_one_page(long_forms):
    pages = [squeeze(text) for text, _codes in pdf_pages(long_forms["F18"])]
    assert len(pages) >= 2, "the long findings make the notice run over pages"
    receipt = ("（送达回执：以下由投诉人填写后交回）", "送达回执编号：" + CASE_NO,
               "本告知书已于", "投诉人（签收）")  # fmt: skip
    holding = [n for n, page in enumerate(pages) if any(words in page for words in receipt)]
    assert len(holding) == 1, f"the receipt is split over pages {holding}"
    assert all(words in pages[holding[0]] for words in receipt)


# --------------------------------------------------------------------------- R01 内容摘要


def _out(workdir, code: str) -> Path:
    return next((workdir.out_dir / CASE_NO).glob(f"{code}-*.docx"))


def _all_text(workdir, code: str) -> str:
    document = Document(str(_out(workdir, code)))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _register_cases(book: CaseBook, count: int = 19) -> list[dict]:
    cases = []
    for n in range(count):
        case = copy.deepcopy(SAMPLE_CASE)
        case["received_at"] = f"2026-03-02 {8 + n // 6:02d}:{n % 6 * 10:02d}"
        case["content"] = f"第{n + 1}件：" + "报告中抗压强度数据与我方送检记录不符，要求复检。" * 30
        if n % 3 == 0:
            case["summary"] = f"第{n + 1}件 抗压强度数据不符"
        book.add(case)
        cases.append(case)
    return cases


def _summaries(path: Path) -> list[str]:
    table = Document(str(path)).tables[-1]
    head = [c.text for c in table.rows[0].cells]
    column = head.index("内容摘要")
    return [row.cells[column].text for row in table.rows[1:]]


@needs_soffice
def test_r01_summary_or_clipped_content_and_19_cases_fit_in_a_few_pages(workdir, book, runner):
    cases = _register_cases(book)
    result = runner.invoke(cli, ["register", "--year", "2026", "--pdf", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    expected = [
        case["summary"] if "summary" in case else case["content"][:60] + "(详见案卷)"
        for case in cases
    ]
    assert _summaries(workdir.root / made["path"]) == expected
    pages = len(PdfReader(str(workdir.root / made["pdf"])).pages)
    assert pages <= 4, f"a 19-case register takes {pages} pages"


def test_r01_summary_length_is_a_setting(workdir, book, runner):
    cases = _register_cases(book, 2)
    text = workdir.path.read_text(encoding="utf-8")
    workdir.path.write_text(text.replace("summary_chars = 60", "summary_chars = 12"), "utf-8")
    result = runner.invoke(cli, ["register", "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    path = workdir.root / json.loads(result.stdout)["path"]
    assert _summaries(path) == [cases[0]["summary"], cases[1]["content"][:12] + "(详见案卷)"]


def test_r01_summary_setting_must_be_a_number(workdir, runner):
    text = workdir.path.read_text(encoding="utf-8")
    workdir.path.write_text(text.replace("summary_chars = 60", 'summary_chars = "很多"'), "utf-8")
    result = runner.invoke(cli, ["register", "--year", "2026"])
    assert result.exit_code == 1
    assert (
        f"Error: {workdir.path}: [generate] summary_chars: 应为 1 至 2000 的整数 "
        "(台帐内容摘要的字数), 而不是 '很多'"
    ) in result.output


def test_summary_is_a_case_field_with_a_chinese_label(workdir, runner):
    result = runner.invoke(cli, ["case", "new", "--kind", "投诉"])
    assert result.exit_code == 0, result.output
    blank = next(workdir.cases_dir.rglob("*.yaml")).read_text(encoding="utf-8")
    assert re.search(r"summary:.*内容摘要", blank), blank


# --------------------------------------------------------------------------- F09 wording


@pytest.mark.parametrize(
    "profile, wording",
    [
        ("certification", "是否受理的决定在收到申请后 5 个工作日内作出"),
        ("consumer", "是否受理的决定在收到申请后 7 个工作日内作出"),
        ("lab", ""),
    ],
)
def test_f09_acceptance_limit_comes_from_the_profile(tmp_path, runner, profile, wording):
    """The profile's limit (e.g. 7 个工作日 under consumer); a profile without an acceptance
    step (lab) makes no claim about one."""
    config = init_workdir(tmp_path / profile, org_name="示例认证中心", profile=profile)
    case = copy.deepcopy(SAMPLE_CASE)
    CaseBook(config).add(case)
    result = invoke(runner, config.root, "fill", "F09", CASE_NO)
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in Document(str(_out(config, "F09"))).paragraphs)
    if not wording:
        assert "是否受理的决定" not in text and "个工作日" not in text
        assert "经审查，本机构于 2026-03-03 作出如下决定" in text
        return
    assert wording in text
    other = {"certification": "7 个工作日", "consumer": "5 个工作日"}[profile]
    assert other not in text
    # F08's 填表说明 words the same limit.
    assert invoke(runner, config.root, "fill", "F08", CASE_NO).exit_code == 0
    limit = re.search(r"\d 个工作日", wording).group(0)
    assert f"受理部门在收到申请后 {limit}内作出是否受理的决定" in _all_text(config, "F08")


# --------------------------------------------------------------------------- 生效日期


def _header_text(path: Path) -> str:
    section = Document(str(path)).sections[0]
    return "\n".join(
        p.text for t in section.header.tables for r in t.rows for c in r.cells for p in c.paragraphs
    )


def test_header_carries_the_catalog_effective_date(workdir, book, sample_case, runner):
    book.add(sample_case)
    catalog = workdir.templates_dir / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace("effective: '2026-12-01'", "effective: 2027-01-15", 1), encoding="utf-8"
    )
    first = next(re.finditer(r"code: (\w+)", text)).group(1)
    result = runner.invoke(cli, ["fill", first, CASE_NO])
    assert result.exit_code == 0, result.output
    header = _header_text(_out(workdir, first))
    assert f"表单编号 {first}  第1版  生效日期 2027-01-15" in header
    assert CASE_NO in header


def test_a_malformed_effective_date_is_a_chinese_error(workdir, runner):
    catalog = workdir.templates_dir / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    first = next(re.finditer(r"code: (\w+)", text)).group(1)
    catalog.write_text(
        text.replace("effective: '2026-12-01'", "effective: 2026-13-40", 1), encoding="utf-8"
    )
    result = runner.invoke(cli, ["forms", "list"])
    assert result.exit_code == 1
    assert (
        f"Error: {catalog}: forms 第 1 项 ({first}): effective (生效日期) 应为日期, "
        "如 2026-12-01, 而不是 '2026-13-40'"
    ) in result.output
    assert "Traceback" not in result.output


def test_forms_list_shows_the_effective_date(workdir, runner):
    result = runner.invoke(cli, ["forms", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert {f["effective"] for f in json.loads(result.stdout)} == {"2026-12-01"}
    assert load_config(workdir.path).summary_chars == 60
