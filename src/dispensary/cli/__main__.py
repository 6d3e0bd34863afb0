"""`python -m dispensary.cli`: the `dispensary` command."""

from dispensary.cli import main

raise SystemExit(main())
