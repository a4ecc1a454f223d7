"""Plain data at the bottom of jettison: no I/O, no imports from the layers above."""
