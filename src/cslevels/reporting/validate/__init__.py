"""`cslevels validate` reports: text, json, github, sarif."""
