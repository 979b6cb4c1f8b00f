"""Ingestion: fetch → parse → store for many feeds at once (``pipeline``)."""
