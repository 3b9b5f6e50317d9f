"""The archive of signed scans: 档号 (``numbering``), intake steps (``intake``), the
``Archive`` service and its inbox runner (``service``, ``pool``, ``watcher``, ``stability``),
page images and QR codes of scans (``pages``), identification (``identify``), the 归档章 (``stamp``), PDF inspection (``pdfinspect``),
fixity (``fixity``), audit (``audit``), retention (``retention``), export (``export``)
and the printed 归档文件目录 (``catalogue_list``)."""
