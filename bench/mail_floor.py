"""The mail floor: python bench/mail_floor.py DATABASE_URL SMTP_PORT COUNT

A bare aiosmtplib client sends one pre-rendered message per row of a plain table over one
reused connection and marks the row sent with one UPDATE and a commit. Prints messages/s.
"""

from __future__ import annotations

import asyncio
import sys
import time
from email.message import EmailMessage

import aiosmtplib
from sqlalchemy import create_engine, text


async def main(url: str, port: int, count: int) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS floor_mail"))
        connection.execute(text("CREATE TABLE floor_mail (id INTEGER PRIMARY KEY, sent BOOLEAN)"))
        connection.execute(
            text("INSERT INTO floor_mail VALUES (:id, false)"),
            [{"id": n} for n in range(count)],
        )
    message = EmailMessage()
    message["Subject"] = "Please confirm your signature"
    message["From"] = "campaign@example.org"
    message["To"] = "floor@example.org"
    message.set_content("Confirm your signature: http://127.0.0.1/confirm?token=x\n" * 5)
    message.add_alternative("<p>Confirm your signature</p>" * 5, subtype="html")
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await smtp.connect()
    started = time.perf_counter()
    for n in range(count):
        del message["Message-ID"]
        message["Message-ID"] = f"<floor-{n}@example.org>"
        await smtp.send_message(message, recipients=[f"floor-{n}@example.org"])
        with engine.begin() as connection:
            connection.execute(text("UPDATE floor_mail SET sent = true WHERE id = :id"), {"id": n})
    elapsed = time.perf_counter() - started
    await smtp.quit()
    engine.dispose()
    print(f"{count / elapsed:.1f}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
