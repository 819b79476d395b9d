"""`cslevels compare` reports: terminal, json, markdown, html."""
