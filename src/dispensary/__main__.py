"""`python -m dispensary` starts the desktop program (the `dispensary` command is the CLI)."""

from dispensary.app import main

raise SystemExit(main())
