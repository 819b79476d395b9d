"""`cslevels list` reports: terminal, json."""
