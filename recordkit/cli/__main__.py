"""``python -m recordkit.cli …`` (the tests and the watcher's workers start it this way)."""

from recordkit.cli.main import main

if __name__ == "__main__":  # pragma: no cover
    main()
