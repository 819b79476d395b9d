"""Everything that touches disk: readers of each answers medium, and their limits."""
