"""The development mail catcher: what the app sends can be read at /dev/mail."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.settings import Settings
from campaign.mail.sink import start_sink
from campaign.site.app import create_app
from tests.conftest import make_settings
from tests.factories import queue_mail as queue
from tests.factories import send_mail as drain
from tests.smtp_server import free_port


def test_mail_sent_to_the_catcher_shows_at_dev_mail(
    engine: Engine, settings: Settings, db_url: str, tmp_path: Path
) -> None:
    port = free_port()
    sink = start_sink(settings.dev_mail_dir, port=port)
    try:
        queue(engine, 1)
        drain(engine, settings.model_copy(update={"smtp_port": port}))
    finally:
        sink.stop()
    app = create_app(settings)
    with TestClient(app) as client:
        listing = client.get("/dev/mail")
        assert "Welcome to campaign" in listing.text
        link = listing.text.split('href="/dev/mail/')[1].split('"')[0]
        message = client.get(f"/dev/mail/{link}")
        assert message.status_code == 200
        assert 'href="http://testserver/login"' in message.text
        html = client.get(f"/dev/mail/{link}/html")
        assert "sandbox" in html.headers["content-security-policy"]
        assert client.get("/dev/mail/../../etc/passwd").status_code == 404
        assert client.get("/dev/mail/0000000000000-" + "0" * 32).status_code == 404
    app.state.engine.dispose()


def test_dev_mail_does_not_exist_in_production(db_url: str, tmp_path: Path) -> None:
    production = make_settings(
        db_url,
        tmp_path,
        25,
        env="production",
        secret_key="p" * 40,
        base_url="https://campaign.example.org",
    )
    app = create_app(production)
    with TestClient(app) as client:
        assert client.get("/dev/mail").status_code == 404
    app.state.engine.dispose()
