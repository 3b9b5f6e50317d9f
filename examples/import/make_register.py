"""Build the sample registers (台帐) in this folder, so they can be regenerated.

    python examples/import/make_register.py [OUTPUT_FOLDER]

Writes:
- ``2026年10月投诉台帐.xlsx`` and ``2026年10月投诉台帐.csv`` (UTF-8 with BOM, as Excel
  saves "CSV UTF-8"): one month of the paper register a testing lab keeps in Excel,
  eight rows, headers are the Chinese labels of recordkit.schema plus ``备注``, which is
  not a schema label. No case numbers: import assigns them.
- ``bad-register.xlsx``: four rows for tests of error reporting; sheet row 3 has a date
  that does not exist (2026-02-30), sheet row 5 an invalid 投诉方式 (微信).

Cells are typed the way an office's workbook has them: times and dates as Excel dates,
phone numbers as text (leading 0 kept), 匿名/有效投诉 as 是/否.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
REGISTER_NAME = "2026年10月投诉台帐"
BAD_NAME = "bad-register"

# Fixed so that regenerating the files does not change them needlessly.
FIXED_TIME = datetime(2026, 11, 2, 9, 0, 0)

HEADERS: tuple[str, ...] = (
    "类别", "接收时间", "投诉方式", "信息来源", "接待人",
    "投诉人", "匿名", "投诉人单位", "联系电话", "通讯地址",
    "被投诉对象", "报告编号", "收到报告日期", "投诉内容", "投诉请求",
    "分类", "严重程度", "受理意见", "受理日期", "责任部门", "处理人",
    "有效投诉", "答复日期", "答复方式", "办结日期", "备注",
)

# Column widths in Excel character units; the rest get the default.
WIDTHS = {
    "接收时间": 17, "投诉人单位": 24, "联系电话": 14, "通讯地址": 30, "被投诉对象": 22,
    "报告编号": 17, "收到报告日期": 13, "投诉内容": 50, "投诉请求": 28, "受理日期": 11,
    "责任部门": 13, "答复日期": 11, "办结日期": 11, "备注": 30,
}
WRAPPED = {"投诉内容", "投诉请求", "通讯地址", "被投诉对象", "备注"}


def _row(**values: object) -> dict[str, object]:
    unknown = set(values) - set(HEADERS)
    assert not unknown, unknown
    return values


# One month of a testing lab's register, as staff typed it.
REGISTER_ROWS: list[dict[str, object]] = [
    _row(
        类别="投诉", 接收时间=datetime(2026, 10, 9, 9, 10), 投诉方式="电话", 信息来源="客户直接",
        接待人="何静", 投诉人="黄志勇", 匿名="否", 投诉人单位="漳州华联建设工程有限公司",
        联系电话="13860612875", 通讯地址="福建省漳州市芗城区丹霞路 39 号",
        被投诉对象="业务受理室",
        投诉内容="9月30日送的钢筋原材拉伸和弯曲试验，说好3个工作日出报告，到今天还没出。工地等着隐蔽验收 & 浇筑，监理不签字不能封模，每天都在误工。",
        投诉请求="今天之内出报告。",
        分类="服务", 严重程度="一般", 受理意见="受理", 受理日期=date(2026, 10, 9),
        责任部门="业务受理室", 处理人="郑思远", 有效投诉="是",
        答复日期=date(2026, 10, 10), 答复方式="电话", 办结日期=date(2026, 10, 12),
        备注="国庆假期积压样品126组；10月10日已出报告",
    ),
    _row(
        类别="申诉", 接收时间=datetime(2026, 10, 12, 10, 30), 投诉方式="信函", 信息来源="客户直接",
        接待人="何静", 投诉人="郑丽芳", 匿名="否", 投诉人单位="漳州市鑫源混凝土有限公司",
        联系电话="0596-6285317", 通讯地址="福建省漳州市龙文区蓝田工业区横二路 5 号",
        被投诉对象="建材检测室（混凝土组）", 报告编号="ZH-HNT-2026-1536",
        收到报告日期=date(2026, 10, 8),
        # Alt+Enter inside an Excel cell is a line feed.
        投诉内容="贵公司报告 ZH-HNT-2026-1536 判定我司 C30 混凝土试块 28d 抗压强度 27.9 MPa，不合格。\n我司同条件养护试块为 34.2 MPa，搅拌站出厂检验也合格，请复核并复检。",
        投诉请求="用留样复检，出具复检结论。",
        分类="质量", 严重程度="重大", 受理意见="受理", 受理日期=date(2026, 10, 13),
        责任部门="质量管理部", 处理人="方振宇",
        备注="原检测员刘志伟回避；复检试块11月10日到龄期",
    ),
    _row(
        类别="投诉", 接收时间=datetime(2026, 10, 14, 15, 20), 投诉方式="来访", 信息来源="客户直接",
        接待人="何静", 投诉人="吴美玲", 匿名="否", 联系电话="15959627733",
        通讯地址="福建省漳州市芗城区大同路 17 号",
        被投诉对象="收费处",
        投诉内容="同样是室内空气甲醛检测 5 个点，我朋友的公司只收了 600 元，我个人却收了 800 元。你们收费是不是 <内部价> 和 <对外价> 两套标准？",
        投诉请求="按同样价格收费，退差价。",
        分类="价格", 严重程度="一般", 受理意见="受理", 受理日期=date(2026, 10, 14),
        责任部门="财务部", 处理人="林燕", 有效投诉="否",
        答复日期=date(2026, 10, 16), 答复方式="面谈", 办结日期=date(2026, 10, 16),
        备注="朋友公司为年度协议客户，按公示价收费无误，已当面解释",
    ),
    _row(
        类别="意见建议", 接收时间=date(2026, 10, 16), 投诉方式="电子邮件", 信息来源="客户直接",
        接待人="何静", 投诉人="许丽娟", 匿名="否", 投诉人单位="漳州中建联合建设工程有限公司",
        联系电话="13600938275", 通讯地址="福建省漳州市龙文区朝阳镇漳州东环城路 1 号项目部",
        被投诉对象="业务受理室",
        投诉内容="建议周六上午也安排收样，工地周末也在施工，试块周一才能送，龄期不好控制。",
        分类="其他", 严重程度="一般", 受理意见="受理", 受理日期=date(2026, 10, 19),
        责任部门="业务受理室", 处理人="郑思远", 有效投诉="是",
        答复日期=date(2026, 10, 23), 答复方式="电子邮件", 办结日期=date(2026, 10, 23),
        备注="11月起试行周六上午收样",
    ),
    _row(
        类别="投诉", 接收时间=datetime(2026, 10, 19, 11, 5), 投诉方式="第三方转交",
        信息来源="主管部门转交", 接待人="方振宇", 投诉人="庄国华", 匿名="否",
        投诉人单位="漳州建鑫建筑劳务有限公司", 联系电话="0596-2517746",
        通讯地址="福建省漳州市芗城区石亭镇新兴路 101 号",
        被投诉对象="现场检测组",
        投诉内容="贵公司检测人员10月15日到我司承建的\"江滨花园二期\"工地取样时，没有出示工作证，还要求我们派车接送、中午安排吃饭。",
        投诉请求="规范检测人员行为。",
        分类="诚信", 严重程度="一般", 受理意见="受理", 受理日期=date(2026, 10, 20),
        责任部门="质量管理部", 处理人="方振宇",
        答复日期=date(2026, 10, 28), 答复方式="书面",
        备注="芗市监转〔2026〕1019-02，11月5日前书面反馈市场监管局",
    ),
    _row(
        类别="投诉", 接收时间=datetime(2026, 10, 22, 8, 40), 投诉方式="电子邮件", 信息来源="内部员工",
        接待人="方振宇", 匿名="是",
        被投诉对象="综合办公室",
        投诉内容="二楼化学室 3 号通风柜坏了一个多月，报修两次都没人来修，做消解试验的时候酸味很大，大家头都疼。",
        投诉请求="尽快修好通风柜。",
        分类="其他", 严重程度="一般", 受理意见="受理", 受理日期=date(2026, 10, 22),
        责任部门="综合办公室", 处理人="林建华", 有效投诉="是",
        答复日期=date(2026, 10, 27), 答复方式="电子邮件", 办结日期=date(2026, 10, 27),
        备注="匿名邮件，答复发至原邮箱；风机已更换",
    ),
    _row(
        类别="投诉", 接收时间=datetime(2026, 10, 26, 16, 50), 投诉方式="电话", 信息来源="客户直接",
        接待人="何静", 投诉人="卢海峰", 匿名="否", 投诉人单位="漳州顺通物流有限公司",
        联系电话="0596-2675508", 通讯地址="福建省漳州市芗城区金峰经济开发区金塘路 8 号",
        被投诉对象="业务受理室", 报告编号="ZH-GC-2026-0877", 收到报告日期=date(2026, 10, 23),
        投诉内容="报告上我们公司名字写错了，'顺通'写成了'顺达'，银行不认，贷款手续办不下来。",
        投诉请求="马上更正重发。",
        分类="质量", 严重程度="一般", 受理意见="受理", 受理日期=date(2026, 10, 26),
        责任部门="业务受理室", 处理人="郑思远", 有效投诉="是",
        答复日期=date(2026, 10, 27), 答复方式="电话", 办结日期=date(2026, 10, 28),
        备注="委托单录入错误；更正报告已发，原报告收回",
    ),
    _row(
        类别="投诉", 接收时间=datetime(2026, 10, 30, 17, 20), 投诉方式="传真", 信息来源="客户直接",
        接待人="何静", 投诉人="魏建国", 匿名="否", 投诉人单位="漳州龙腾路桥工程有限公司",
        联系电话="0596-2368891", 通讯地址="福建省漳州市龙海区紫泥镇锦田村 6 号",
        被投诉对象="现场检测组",
        投诉内容="约好10月29日上午8点到九龙大道K3+200段做压实度检测，检测人员10点半才到，压路机和十几个工人白等了两个半小时，也没有提前打电话说明。",
        投诉请求="说明原因，赔偿误工损失。",
        分类="服务", 严重程度="一般",
        备注="待分办",
    ),
]

# Four rows for error-reporting tests. Sheet row 1 is the header, so the data rows are
# sheet rows 2-5: row 3 carries 2026-02-30 (typed as text: Excel has no such date),
# row 5 carries 投诉方式 微信, which is not an allowed channel.
BAD_ROWS: list[dict[str, object]] = [
    _row(
        类别="投诉", 接收时间=datetime(2026, 2, 2, 9, 0), 投诉方式="电话", 信息来源="客户直接",
        接待人="何静", 投诉人="邱志明", 联系电话="13905968812",
        投诉内容="报告寄错了地址，到现在没收到。", 分类="服务", 严重程度="一般",
    ),
    _row(
        类别="投诉", 接收时间="2026-02-30", 投诉方式="来访", 信息来源="客户直接",
        接待人="何静", 投诉人="陈淑华", 联系电话="0596-2234561",
        投诉内容="取报告排队一个小时，窗口只开了一个。", 分类="服务", 严重程度="一般",
    ),
    _row(
        类别="意见建议", 接收时间=datetime(2026, 2, 25, 14, 10), 投诉方式="电子邮件",
        信息来源="客户直接", 接待人="何静", 投诉人="许丽娟", 联系电话="13600938275",
        投诉内容="建议报告封面增加二维码防伪。", 分类="其他", 严重程度="一般",
    ),
    _row(
        类别="投诉", 接收时间=datetime(2026, 2, 27, 10, 45), 投诉方式="微信", 信息来源="客户直接",
        接待人="何静", 投诉人="林海燕", 联系电话="15806091234",
        投诉内容="微信上问检测价格，客服两天都没回复。", 分类="服务", 严重程度="一般",
    ),
]


# --------------------------------------------------------------------------- writing

def _text_for_csv(value: object) -> str:
    """How the value reads in the CSV: dates ISO, minutes only when a time was given."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_xlsx(path: Path, rows: list[dict[str, object]], sheet_title: str) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border

    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
        for col, header in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=sheet.max_row, column=col)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=header in WRAPPED)
            value = row.get(header)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif header == "联系电话":
                cell.number_format = "@"  # text: a leading 0 must survive Excel

    for col, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = WIDTHS.get(header, 10)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions

    book.properties.creator = "recordkit examples"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_with_fixed_zip_times(buffer.getvalue()))


def _with_fixed_zip_times(data: bytes) -> bytes:
    """The same workbook with every zip entry dated FIXED_TIME (stable bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    # Excel's "CSV UTF-8": BOM, CRLF between records; a line feed inside a cell stays
    # inside the quoted field.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([_text_for_csv(row.get(h)) for h in HEADERS])


def build(out_dir: Path) -> list[Path]:
    """Write the three sample files into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx = out_dir / f"{REGISTER_NAME}.xlsx"
    csv_path = out_dir / f"{REGISTER_NAME}.csv"
    bad = out_dir / f"{BAD_NAME}.xlsx"
    _write_xlsx(xlsx, REGISTER_ROWS, "2026年10月")
    _write_csv(csv_path, REGISTER_ROWS)
    _write_xlsx(bad, BAD_ROWS, "2026年2月")
    return [xlsx, csv_path, bad]


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else HERE
    for path in build(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
