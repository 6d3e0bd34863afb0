"""The PySide6 desktop application: widgets, table models and dialogs; no SQL, no rules."""

from dispensary.ui.qt_imports import keep_no_source_of_imports

keep_no_source_of_imports()
