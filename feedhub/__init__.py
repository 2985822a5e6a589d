"""feedhub: self-hosted social feed widgets."""

__version__ = "0.1.0"
