"""Reports rendered from scoring results; one module per output format."""
