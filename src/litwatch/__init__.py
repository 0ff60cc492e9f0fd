"""litwatch: keep watch over the literature on one topic and publish a referenced progress report."""

__version__ = "0.1.0"

__all__ = ["__version__"]
