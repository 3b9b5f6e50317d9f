"""Cases and the other records (质量事故, 整改通知, CAPA, 售后服务): the field contract
(``schema``), the YAML files and numbering (``store``), the rules of the other records
(``records``) and spreadsheet import/registers (``spreadsheet``)."""
