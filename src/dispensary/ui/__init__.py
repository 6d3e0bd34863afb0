"""The PySide6 desktop application: widgets, table models and dialogs; no SQL, no rules."""
