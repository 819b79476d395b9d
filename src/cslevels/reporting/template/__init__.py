"""`cslevels template` outputs: a blank (or pre-filled) answers file in each medium."""
