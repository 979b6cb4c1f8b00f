from fixtures_server import feed_server

__all__ = ["feed_server"]
