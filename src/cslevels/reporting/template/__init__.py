"""Answers templates: the media a person fills in (the browser form, ...)."""
