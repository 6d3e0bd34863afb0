"""Qt table models over lists of frozen service result rows."""
