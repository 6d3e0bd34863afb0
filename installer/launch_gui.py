"""Entry of the bundled desktop program: PyInstaller runs this file as `__main__`.

A launcher outside the package, so that the frozen program imports `dispensary` as the
installed package (with the same `__file__` layout the resource look-ups expect).
"""

from dispensary.app import main

raise SystemExit(main())
