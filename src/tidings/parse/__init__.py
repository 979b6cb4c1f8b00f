"""Parse: turn fetched bytes into entries (RSS, Atom, JSON Feed, sitemaps), with no network."""
