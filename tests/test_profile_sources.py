"""`profile show` names the procedure a limit really comes from (issue 10 item 14): the title
as the procedure itself is headed, with its paragraph, not a neighbouring procedure's name."""

from __future__ import annotations

import pytest

from recordkit.cli import cli

# profile → (title and paragraph that must be named, title that was named by mistake)
SOURCES = {
    "hospital": ("投诉处理工作制度 (医院; 一、(四)", "医院投诉管理制度"),
    "service-centre": ("服务中心投诉受理制度范本 (第八条", "街道办事处便民服务中心投诉制度"),
    "health-check": ("体检中心:客户投诉的解决与管理制度 (三、2", "体检中心客户投诉流程与管理制度"),
    "enterprise-quality": ("公司质量投诉处理制度 (第五条", "投诉处理流程 3."),
    "employee": ("员工申诉与投诉管理程序 4.", 'source: "投诉处理程序 4.'),
    "dealer": ("汽车维修投诉管理制度 (二、3 24 小时内与消费者取得联系)", "经销商客户投诉处理程序"),
    "certification": ("申诉、投诉和争议处理规定 (评估中心 8", "受理; 评估中心 8"),
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_profile_show_names_the_procedure_the_limit_comes_from(runner, workdir, name):
    result = runner.invoke(cli, ["profile", "show", name])
    assert result.exit_code == 0, result.output
    right, wrong = SOURCES[name]
    assert right in result.stdout
    assert wrong not in result.stdout
