"""The ASGI entry point: `uvicorn main:app`."""

from campaign.site.app import create_app

app = create_app()
