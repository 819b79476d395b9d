"""`cslevels summary` reports: terminal, json, csv, html."""
