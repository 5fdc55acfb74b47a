"""The store's signal: `articles_stored`, sent with `items` (the list of item dicts
of a batch) once that batch is in MongoDB. Until then an item is only in the
worker's memory and journal; the frontier acknowledges a request on it."""

articles_stored = object()
