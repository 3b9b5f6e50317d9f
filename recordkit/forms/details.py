"""What `forms show` prints about one form: its summary, template hash, the fields it
uses and the problems the catalog finds in it."""

from __future__ import annotations

from typing import Any

from recordkit.forms.catalog import Catalog
from recordkit.forms.render import field_uses


def form_details(catalog: Catalog, code: str) -> dict[str, Any]:
    form = catalog.get(code)
    uses = sorted({f"{u.root}.{u.path}" if u.path else u.root for u in field_uses(form.compiled)})
    return {
        **form.summary(),
        "version": form.version,
        "template_sha256": form.compiled.sha256,
        "fields": uses,
        "problems": [str(p) for p in catalog.check(form)],
    }
