"""Everything that touches the disk.

Readers behind one registry, YAML, loading, the rubric library and its cache, the
one folder walker, and writing files without ever leaving one half-written.
"""
