"""`cslevels show` reports: terminal, markdown, html."""
