"""tidings: a self-hosted news aggregator and news site."""

__version__ = "0.1.0"
