"""The floor: a bare FastAPI + SQLAlchemy app doing one INSERT or one SELECT per request (and,
for letters, one SELECT and a PDF in the same font).

Benchmarks report the real app as a ratio of this, measured in the same run on the same stack.
Run: FLOOR_DATABASE_URL=... uvicorn bench.floor_app:app --workers 2 --no-access-log
"""

import os
from pathlib import Path

from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=10, max_overflow=20)
app = FastAPI()
FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


@app.post("/floor/insert")
def insert(email: str = Form(...)) -> HTMLResponse:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO floor_row (email) VALUES (:email)"), {"email": email})
    return HTMLResponse("ok", status_code=303, headers={"location": "/floor/page"})


if engine.dialect.name == "postgresql":  # SQLite would need aiosqlite
    from sqlalchemy.ext.asyncio import create_async_engine

    async_engine = create_async_engine(engine.url, pool_size=10, max_overflow=20)

    @app.post("/floor/insert-async")
    async def insert_async(email: str = Form(...)) -> HTMLResponse:
        """The same INSERT through SQLAlchemy's asyncio engine on psycopg's async connection,
        on the event loop: what an async driver for the writers would start from."""
        async with async_engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO floor_row (email) VALUES (:email)"), {"email": email}
            )
        return HTMLResponse("ok", status_code=303, headers={"location": "/floor/page"})


@app.get("/floor/page")
def page() -> HTMLResponse:
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM floor_row WHERE id < 10")).scalar()
    return HTMLResponse(f"<!doctype html><title>floor</title><p>{count}</p>")


LETTER = (
    "Dear Prosecutor General,\n\nI am writing from Kraków, Poland, about Anna Kavalchuk, a nurse "
    "from Hrodna, sentenced in 2023 to four years in a penal colony for a comment under a news "
    "post.\n\nI ask you to release her and, until then, to let her receive letters and the "
    "medical care she needs.\n\nYours sincerely,\nBench Writer\n25 November 2026\n"
)


@app.post("/floor/pdf")
def pdf(letters: int = Form(3)) -> Response:
    """One SELECT and a PDF of `letters` one-page letters in the same embedded Unicode font."""
    from fpdf import FPDF

    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM floor_row WHERE id < 10")).scalar()
    document = FPDF(format="A4")
    document.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    document.set_font("DejaVu", size=11)
    for _ in range(letters):
        document.add_page()
        document.multi_cell(0, 5.5, LETTER)
    return Response(bytes(document.output()), media_type="application/pdf")
