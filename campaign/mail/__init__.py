"""Mail: an outbox written in the caller's transaction, a worker that sends it, a dev catcher."""
