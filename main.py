"""The ASGI entry point: `uvicorn main:app`."""

from campaign.app import create_app

app = create_app()
