"""The Word report (python-docx): styles, tables, charts, explanations."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from recordkit.reports.charts import Chart
from recordkit.reports.stats import Period, Stats, pct

# --------------------------------------------------------------------------- Word


def _set_fonts(rpr_parent: Any, latin: str, east_asia: str) -> None:
    """Name the Latin and East Asian fonts explicitly, dropping theme fonts that override them."""
    from docx.oxml.ns import qn

    fonts = rpr_parent.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _style_document(document: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_fonts(normal.element, "Times New Roman", "宋体")
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.makeelement(qn("w:lang"), {qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN"})
    rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.2
    for name, size, before, after in (
        ("Title", 18, 0, 6),
        ("Heading 1", 14, 14, 6),
        ("Heading 2", 12, 10, 4),
    ):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element, "黑体", "黑体")
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
    title = styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The default template draws a blue rule under the title; an office report has none.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    caption = styles["Caption"]
    caption.font.size = Pt(9)
    caption.font.bold = False
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(caption.element, "Times New Roman", "宋体")
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _page_setup(document: Any) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.3)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    section.header_distance = section.footer_distance = Cm(1.3)


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    from docx.oxml.ns import qn

    def fld_char(kind: str) -> Any:
        run = paragraph.add_run()
        element = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        run._r.append(element)
        return run

    fld_char("begin")
    run = paragraph.add_run()
    instr = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def _header_footer(document: Any, header_text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = header_text
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in header.runs:
        run.font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页 共 ")
    _field(footer, "NUMPAGES", "1")
    footer.add_run(" 页")
    for run in footer.runs:
        run.font.size = Pt(9)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = tcpr.makeelement(
        qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}
    )
    tcpr.insert_element_before(
        shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def _cant_split(row: Any) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.insert(0, trpr.makeelement(qn("w:cantSplit"), {}))


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))


def _add_table(
    document: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths_cm: Sequence[float],
    total: Sequence[Any] | None = None,
    font_pt: float = 9.5,
) -> Any:
    """A bordered table: grey bold header repeated on each page, first column left, rest centred."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    body = [list(r) for r in rows] + ([list(total)] if total is not None else [])
    table = document.add_table(rows=1 + len(body), cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # the grid LibreOffice lays out from
    keep_together = len(body) <= 20
    for r, values in enumerate([list(headers), *body]):
        row = table.rows[r]
        for c, value in enumerate(values):
            cell = row.cells[c]
            cell.width = Cm(widths_cm[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.space_before = Pt(0)
            paragraph.paragraph_format.keep_with_next = keep_together and r < len(body)
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if c == 0 and r else WD_ALIGN_PARAGRAPH.CENTER
            )
            run = paragraph.add_run(str(value))
            run.font.size = Pt(font_pt)
            if r == 0 or (total is not None and r == len(body)):
                run.bold = True
        _cant_split(row)
        if r == 0:
            _repeat_header(row)
            for cell in row.cells:
                _shade(cell, "D9E2F3")
    document.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _caption(document: Any, text: str) -> None:
    document.add_paragraph(text, style="Caption")


def _count_rows(counts: Mapping[str, int], total: int) -> list[list[Any]]:
    return [[label, n, pct(n, total)] for label, n in counts.items()]


def _picture(document: Any, chart: Chart) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document.add_picture(str(chart.path), width=Cm(15.5))
    paragraph = document.paragraphs[-1]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    inline = document.inline_shapes[-1]._inline
    inline.docPr.set("descr", chart.description)
    inline.docPr.set("title", chart.title)


def report_title(org: str, period: Period) -> str:
    return f"{org} {period.report_name} ({period.label})".strip()


class _ReportDocument:
    """The Word document being written, with the running table and figure numbers."""

    def __init__(self, document: Any, stats: Stats, charts: Sequence[Chart]) -> None:
        self.document = document
        self.stats = stats
        self.chart = {c.path.name.split("-", 1)[1].removesuffix(".png"): c for c in charts}
        self.table_no = iter(range(1, 100))
        self.figure_no = iter(range(1, 100))

    def table(
        self,
        caption: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        total: Sequence[Any] | None = None,
        font_pt: float = 9.5,
    ) -> None:
        paragraph = self.document.add_paragraph(
            f"表{next(self.table_no)} {caption}", style="Caption"
        )
        paragraph.paragraph_format.keep_with_next = True
        _add_table(self.document, headers, rows, widths, total, font_pt)

    def picture(self, key: str) -> None:
        if key in self.chart:
            _picture(self.document, self.chart[key])
            _caption(self.document, f"图{next(self.figure_no)} {self.chart[key].title}")

    def counts(self, name: str, header: str, values: Mapping[str, int]) -> None:
        stats = self.stats
        rows = _count_rows(values, stats.total) or [["(无)", 0, "—"]]
        self.table(
            f"按{name}统计",
            [header, "件数", "占比"],
            rows,
            (5.5, 2.5, 2.5),
            total=["合计", stats.total, "100.0%" if stats.total else "—"],
        )

    def share_table(self, caption: str, header: str, values: Mapping[str, int]) -> None:
        """A count table with shares that lists every value, even zero ones, and a total."""
        stats = self.stats
        self.table(
            caption,
            [header, "件数", "占比"],
            _count_rows(values, stats.total),
            (5.5, 2.5, 2.5),
            total=["合计", stats.total, "100.0%" if stats.total else "—"],
        )

    def small_paragraph(self, text: str) -> None:
        from docx.shared import Pt

        self.document.add_paragraph(text).runs[0].font.size = Pt(9)


def _as_of(stats: Stats) -> str:
    return stats.as_of.strftime("%Y-%m-%d %H:%M") if stats.as_of else "—"


def _title_page(document: Any, stats: Stats, org: str, profile_title: str) -> None:
    """Styles, page, header and footer, document properties, the title and the scope line."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    period = stats.period
    _style_document(document)
    _page_setup(document)
    title = report_title(org, period)
    _header_footer(document, title)
    props = document.core_properties
    props.title, props.author, props.subject = title, org or "recordkit", period.report_name
    props.keywords, props.comments = "投诉 统计 recordkit", "由 recordkit 生成"

    document.add_paragraph(title, style="Title")
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = meta.add_run(
        f"统计范围: {period.first_day.isoformat()} 至 {period.last_day.isoformat()} 接收的案件    "
        f"程序配置: {profile_title}    统计截至: {_as_of(stats)}"
    )
    run.font.size = Pt(9)


def _overview_section(doc: _ReportDocument) -> None:
    stats = doc.stats
    doc.document.add_heading("一、总体情况", level=1)
    for line in _overview(stats):
        doc.document.add_paragraph(line)
    targets = [
        [t.name, t.threshold_text, t.fraction_text, t.value_text, t.status] for t in stats.targets
    ]
    doc.table(
        "服务目标达成情况",
        ["指标", "目标", "分子 / 分母", "实际值", "结论"],
        targets,
        (3.2, 2.2, 3.0, 4.6, 2.4),
    )
    for target in stats.targets:
        note = f"; {target.note}" if target.note else ""
        doc.small_paragraph(f"{target.name} = {target.formula}{note}。")


def _categories_section(doc: _ReportDocument) -> None:
    stats = doc.stats
    doc.document.add_heading("二、分类统计", level=1)
    doc.counts("类别", "类别", stats.by_kind)
    doc.counts("投诉方式", "投诉方式", stats.by_channel)
    doc.picture("channel")
    doc.counts("分类", "分类", stats.by_category)
    doc.picture("category")
    doc.counts("严重程度", "严重程度", stats.by_severity)
    doc.counts("责任部门", "责任部门 (分办)", stats.by_department)


def _timeliness_section(doc: _ReportDocument) -> None:
    stats = doc.stats
    doc.document.add_heading("三、处理时效", level=1)
    doc.document.add_paragraph(
        "按本单位程序配置的各步骤时限 (工作日按国家法定节假日和调休计算) 统计。按期率 = 按期完成 ÷ 已完成; "
        f"“办理中”和“已超期”为截至 {_as_of(stats)} 尚未完成的件数。"
    )
    step_rows = [
        [
            s.name,
            s.limit_text,
            s.applicable,
            s.done,
            s.on_time,
            s.late,
            pct(s.on_time, s.done),
            s.running,
            s.overdue,
        ]
        for s in stats.steps
    ]
    doc.table(
        "各步骤按期完成情况",
        ["步骤", "时限", "适用", "已完成", "按期", "超期完成", "按期率", "办理中", "已超期"],
        step_rows or [["(无时限步骤)", "", "", "", "", "", "", "", ""]],
        (3.8, 1.9, 1.1, 1.5, 1.2, 1.9, 1.6, 1.5, 1.5),
        font_pt=9,
    )
    doc.picture("steps")
    doc.share_table("受理情况", "受理意见", stats.acceptance)


def _trend_section(doc: _ReportDocument) -> None:
    stats = doc.stats
    period = stats.period
    trend_name = "近12个月接收趋势" if period.is_month else f"{period.year}年各月接收情况"
    doc.document.add_heading(f"五、{trend_name}", level=1)
    doc.picture("trend")
    doc.table(
        trend_name,
        ["月份", "接收件数"],
        [[m, n] for m, n in stats.trend],
        (5.5, 3.0),
        total=["合计", sum(n for _, n in stats.trend)],
    )


def build_docx(
    stats: Stats,
    charts: Sequence[Chart],
    org: str,
    profile_title: str,
    problems: Sequence[str] = (),
) -> bytes:
    """The Word report (python-docx, A4 portrait) as bytes."""
    import docx

    document = docx.Document()
    _title_page(document, stats, org, profile_title)
    doc = _ReportDocument(document, stats, charts)
    _overview_section(doc)
    _categories_section(doc)
    _timeliness_section(doc)
    document.add_heading("四、有效性与满意度", level=1)
    doc.share_table("有效投诉认定情况", "认定结果", stats.validity)
    doc.share_table("回访满意度", "回访满意度", stats.satisfaction)
    _trend_section(doc)
    document.add_heading("六、说明", level=1)
    for line in _explanations(stats, problems):
        doc.small_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _overview(stats: Stats) -> list[str]:
    kinds = "、".join(f"{k} {n} 件" for k, n in stats.by_kind.items() if n) or "无"
    valid = stats.validity
    sat = stats.satisfaction
    return [
        f"{stats.period.label}共接收案件 {stats.total} 件 ({kinds}); 已办结 {stats.closed} 件, "
        f"办理中 {stats.open} 件, 其中已超期 {stats.open_overdue} 件。",
        f"调查认定有效 {valid['有效']} 件、无效 {valid['无效']} 件、尚未认定 {valid['未认定']} 件; "
        f"回访满意 {sat['满意']} 件、基本满意 {sat['基本满意']} 件、不满意 {sat['不满意']} 件、"
        f"未回访 {sat['未回访']} 件。",
    ]


def _explanations(stats: Stats, problems: Sequence[str]) -> list[str]:
    lines = [
        "1. 统计口径: 按接收时间 (received_at) 归入统计期间; 时效按截至统计时间的状态计算。",
        "2. 服务及时率: 分母为时效已确定的案件, 即全部适用步骤已完成, 或至少一个步骤超期 (超期完成或办理中已超期); "
        "尚在期限内办理的案件不计入。",
        "3. 用户满意程度: 以回访记录的满意度为准, 未回访的案件不计入分母。",
        "4. 用户抱怨率: 分子为类别为“投诉”且调查认定为有效投诉 (确属服务责任) 的件数, 分母为本期登记的"
        "服务 (产品) 总量。",
        "5. 各表“未填写”指案件文件中该项为空; 详细定义见 docs/reports.md。",
    ]
    if problems:
        lines.append(f"6. 以下 {len(problems)} 项问题 (有错误的案件文件未计入统计):")
        lines += [f"   {p}" for p in problems]
    return lines
