"""Item pipelines, one job each, in the order data flows (see ITEM_PIPELINES):
normalize, validate, deduplicate, store."""
