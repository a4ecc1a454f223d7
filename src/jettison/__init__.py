"""jettison: small, fast, correctly configured container images for Python web services."""

__version__ = "0.1.0"
