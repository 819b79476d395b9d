"""cslevels: assess the maturity of a business's customer service against YAML rubrics."""

__version__ = "0.1.0"
