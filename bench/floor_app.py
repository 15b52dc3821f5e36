"""The floor: a bare FastAPI + SQLAlchemy app doing one INSERT or one SELECT per request.

Benchmarks report the real app as a ratio of this, measured in the same run on the same stack.
Run: FLOOR_DATABASE_URL=... uvicorn bench.floor_app:app --workers 2 --no-access-log
"""

import os

from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=10, max_overflow=20)
app = FastAPI()


@app.post("/floor/insert")
def insert(email: str = Form(...)) -> HTMLResponse:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO floor_row (email) VALUES (:email)"), {"email": email})
    return HTMLResponse("ok", status_code=303, headers={"location": "/floor/page"})


@app.get("/floor/page")
def page() -> HTMLResponse:
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM floor_row WHERE id < 10")).scalar()
    return HTMLResponse(f"<!doctype html><title>floor</title><p>{count}</p>")
