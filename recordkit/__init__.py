"""recordkit: forms, archive and audit for complaint, appeal and quality-incident files."""

__version__ = "0.1.0"
