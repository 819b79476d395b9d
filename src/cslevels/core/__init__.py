"""The pure core of cslevels: models, rules, scoring, comparison.

Nothing here touches the disk, the terminal or a file format: no I/O and no
typer, rich, jinja2 or yaml imports (``tests/test_layers.py`` checks this from the
source), so every reader and every report shares one definition of each rule.
"""
