"""Statistics reports: figures, charts, the Word and Excel reports (``stats``)."""
