"""Pure rules and arithmetic of drug accountability: no I/O, no Qt, no SQL."""
