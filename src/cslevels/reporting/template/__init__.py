"""``cslevels template`` in each medium that has a writer of its own (the workbook)."""
