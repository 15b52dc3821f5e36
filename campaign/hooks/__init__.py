"""Webhooks: an organisation's own systems told of events, signed, at least once."""
