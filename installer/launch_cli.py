"""Entry of the bundled `dispensary` command: PyInstaller runs this file as `__main__`."""

from dispensary.cli import main

raise SystemExit(main())
