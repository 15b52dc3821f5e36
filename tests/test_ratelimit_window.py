"""What a refused client is told: how long until its window resets, for its own counter only."""

from sqlalchemy import Engine

from campaign.core.ratelimit import Limiter


def test_the_wait_is_the_rest_of_the_clients_own_window(engine: Engine) -> None:
    limiter = Limiter(engine)
    assert limiter.hit("1/hour", "pdf", "client-a")
    assert not limiter.hit("1/hour", "pdf", "client-a")
    assert limiter.retry_after("1/hour", "pdf", "client-a") == 3600
    # Another client, with no window yet, waits for nothing.
    assert limiter.retry_after("1/hour", "pdf", "client-b") <= 1
