"""The bundled sample cases and records (``examples/``) filed into a working folder.

``recordkit demo`` and tools/make_gallery.py both file them here, so the order that the
link checks need is kept in one place: the records of the other types come first, then
the cases. A case's ``resolution.corrective_action_no`` must name a CAPA that exists,
while a record's ``source_case`` is not checked on the way in (the samples are known to
link both ways, tests/test_example_records.py), so no order of checked books would do.
"""

from __future__ import annotations

from dataclasses import dataclass

from recordkit.cases import schema
from recordkit.cases.store import CaseBook, read_case_file
from recordkit.config import PACKAGE_ROOT, Config
from recordkit.errors import RecordkitError
from recordkit.workspace import Workspace

EXAMPLES = PACKAGE_ROOT.parent / "examples"


@dataclass(frozen=True)
class FiledSamples:
    """How many sample files were found: cases, and each other type by its label."""

    cases: int
    records: list[tuple[str, int]]


def file_samples(workspace: Workspace) -> FiledSamples:
    """File every sample record and case not filed yet (records first, see above)."""
    records = file_sample_records(workspace.config)
    return FiledSamples(cases=file_sample_cases(workspace), records=records)


def file_sample_records(config: Config) -> list[tuple[str, int]]:
    """File the sample records of the other types (examples/records/<type>/*.yaml),
    before the cases they link to exist: their ``source_case`` link is not checked here."""
    counts = []
    for rtype in schema.OTHER_TYPES:
        book = CaseBook(config, rtype=rtype)
        existing = book.existing_numbers()
        files = sorted((EXAMPLES / "records" / rtype.folder).glob("*.yaml"))
        for path in files:
            data, _raw = read_case_file(path)
            if str(data.get(rtype.number_key)) not in existing:
                book.add(data, source=str(path))
        counts.append((rtype.label, len(files)))
    return counts


def file_sample_cases(workspace: Workspace) -> int:
    """File the sample cases of ``examples/cases`` (those not filed yet), with the
    profile's checks; the CAPAs they name must be filed already."""
    book = workspace.casebook()
    files = sorted((EXAMPLES / "cases").glob("*.yaml"))
    if not files:
        raise RecordkitError(f"找不到示例案件 {EXAMPLES / 'cases'} (sample cases missing)")
    existing = book.existing_numbers()
    for path in files:
        data, _raw = read_case_file(path)
        if str(data.get("case_no")) not in existing:
            book.add(data, source=str(path))
    return len(files)
