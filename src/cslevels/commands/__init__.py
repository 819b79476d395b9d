"""One module per command, named after it.

Each takes typed options and returns data; none prints (``cli.py`` does, at the edge).
"""
