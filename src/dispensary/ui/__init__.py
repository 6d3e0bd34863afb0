"""The PySide6 desktop application: widgets, table models and dialogs; no SQL, no rules."""

from dispensary.ui.refcounts import pin_singletons

pin_singletons()  # before any Qt call: see refcounts.py
