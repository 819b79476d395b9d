"""`cslevels score` reports: terminal, json, markdown, html."""
