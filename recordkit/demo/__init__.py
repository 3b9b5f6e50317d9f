"""``recordkit demo``: the whole flow on the bundled sample cases (``run``), with its
archive (``archive``), audit (``audit``) and reports (``reports``) steps."""
