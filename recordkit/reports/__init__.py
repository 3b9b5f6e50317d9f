"""Statistics reports: the figures (``stats``), charts (``charts``), the Word and Excel
files (``word``, ``excel``) and writing a period's report (``report``)."""
