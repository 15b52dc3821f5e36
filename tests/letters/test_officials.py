"""The register of officials: edited in the organiser area, imported whole or not at all."""

import csv
import io
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.letters.models import Official, OfficialEmail
from campaign.letters.service import officials
from tests.conftest import csrf_from
from tests.test_cli import campaign

GOOD = (
    "id,name,title,institution,country,language,emails,postal_address,notes\n"
    ',Андрэй Швед,Генеральны пракурор,Генеральная пракуратура,BY,be,"pg@prokuratura.example; old@prokuratura.example bouncing","вул. Інтэрнацыянальная, 22\n220030 Мінск",\n'
    ",Jane Envoy,Ambassador,Embassy of Lithuania,LT,en,envoy@embassy.example,,Prefers post\n"
)


def rows(text: str) -> list[dict[str, str]]:
    found, problem = officials.read_csv(text.encode())
    assert problem is None
    return found


def all_officials(engine: Engine) -> list[Official]:
    with Session(engine) as session:
        return list(session.exec(select(Official).order_by(Official.name)).all())  # type: ignore[arg-type]


def test_a_good_file_imports_every_official_with_their_addresses(session: Session) -> None:
    report = officials.import_officials(session, rows(GOOD), apply=True)
    assert (report.ok, report.created, report.updated) == (True, 2, 0)
    registered = {o.name: emails for o, emails in officials.list_officials(session)}
    shvied = registered["Андрэй Швед"]
    assert [(e.address, e.status) for e in shvied] == [
        ("pg@prokuratura.example", "active"),
        ("old@prokuratura.example", "bouncing"),
    ]


def test_one_bad_row_means_nothing_is_imported(session: Session) -> None:
    bad = GOOD + ",,No name,,XX,zz,not-an-address,,\n"
    report = officials.import_officials(session, rows(bad), apply=True)
    assert not report.ok and report.created == 0
    assert {(line, column) for line, column, _ in report.errors} == {
        (4, "name"),
        (4, "country"),
        (4, "language"),
        (4, "emails"),
    }
    assert session.exec(select(Official)).all() == []


def test_a_row_with_an_id_updates_that_official(session: Session) -> None:
    officials.import_officials(session, rows(GOOD), apply=True)
    envoy = session.exec(select(Official).where(Official.name == "Jane Envoy")).one()
    change = f"id,name,title,emails\n{envoy.id},Jane Envoy,Former Ambassador,envoy@embassy.example blocked\n"
    report = officials.import_officials(session, rows(change), apply=True)
    assert (report.created, report.updated) == (0, 1)
    assert envoy.title == "Former Ambassador"
    assert [e.status for e in officials.official_emails(session, envoy)] == ["blocked"]
    missing = officials.import_officials(session, rows("id,name\n999,Ghost\n"), apply=True)
    assert missing.errors == [(2, "id", "No official with id 999.")]


def test_a_dry_run_reports_without_changing_anything(session: Session) -> None:
    report = officials.import_officials(session, rows(GOOD), apply=False)
    assert (report.ok, report.created) == (True, 2)
    assert session.exec(select(Official)).all() == []


def test_the_export_reads_back_in_as_the_same_register(session: Session) -> None:
    officials.import_officials(session, rows(GOOD), apply=True)
    exported = officials.export_csv(session).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(exported)))
    assert [r["name"] for r in parsed] == ["Jane Envoy", "Андрэй Швед"]
    assert parsed[1]["emails"] == "pg@prokuratura.example; old@prokuratura.example bouncing"
    assert "Мінск" in parsed[1]["postal_address"]
    report = officials.import_officials(session, rows(exported), apply=True)
    assert (report.ok, report.created, report.updated) == (True, 0, 2)


def test_a_file_that_is_not_utf8_or_has_no_header_is_explained() -> None:
    assert officials.read_csv("name\nŁukasz".encode("cp1250"))[1] is not None
    assert "columns" in (officials.read_csv(b"a,b\n1,2\n")[1] or "")


def test_an_organiser_adds_and_edits_an_official(
    organiser_client: TestClient, engine: Engine
) -> None:
    page = "/admin/officials/new"
    response = organiser_client.post(
        page,
        data={
            "csrf_token": csrf_from(organiser_client, page),
            "name": "Ivan Minister",
            "title": "Minister of Internal Affairs",
            "country": "BY",
            "language": "ru",
            "emails": "minister@mvd.example\nold@mvd.example blocked",
        },
    )
    assert response.status_code == 303
    listing = organiser_client.get("/admin/officials").text
    assert "Ivan Minister" in listing and "old@mvd.example <strong" in listing
    [official] = all_officials(engine)
    edit = f"/admin/officials/{official.id}/edit"
    assert "old@mvd.example blocked" in organiser_client.get(edit).text
    bad = organiser_client.post(
        edit, data={"csrf_token": csrf_from(organiser_client, edit), "name": "", "emails": "nope"}
    )
    assert (
        bad.status_code == 400 and 'id="error-name"' in bad.text and 'id="error-emails"' in bad.text
    )


def test_importing_through_the_organiser_area_checks_then_imports(
    organiser_client: TestClient, engine: Engine
) -> None:
    path = "/admin/officials/import"
    files = {"file": ("officials.csv", GOOD.encode(), "text/csv")}
    check = organiser_client.post(
        path, data={"csrf_token": csrf_from(organiser_client, path), "action": "check"}, files=files
    )
    assert check.status_code == 200 and "2 new, 0 changed" in check.text
    assert all_officials(engine) == []
    bad = organiser_client.post(
        path,
        data={"csrf_token": csrf_from(organiser_client, path), "action": "import"},
        files={"file": ("x.csv", (GOOD + ",,,,XX,,,,\n").encode(), "text/csv")},
    )
    assert (
        bad.status_code == 400
        and "Nothing was imported" in bad.text
        and "<td>4</td><td>name</td>" in bad.text
    )
    done = organiser_client.post(
        path,
        data={"csrf_token": csrf_from(organiser_client, path), "action": "import"},
        files=files,
    )
    assert done.status_code == 303
    assert [o.name for o in all_officials(engine)] == ["Jane Envoy", "Андрэй Швед"]
    export = organiser_client.get("/admin/officials/export.csv")
    assert "Андрэй Швед" in export.content.decode("utf-8-sig")


def test_the_cli_imports_and_reports_bad_rows_by_line(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD + ",,,,XX,,,,\n", encoding="utf-8")
    failed = campaign("import-officials", str(bad), env={"DATABASE_URL": db_url})
    assert failed.returncode == 1
    assert (
        f"{bad}:4: name: Enter the official's name." in failed.stderr
        and "Traceback" not in failed.stderr
    )
    dry = campaign("import-officials", str(good), "--dry-run", env={"DATABASE_URL": db_url})
    assert "would add 2" in dry.stdout and all_officials(engine) == []
    done = campaign("import-officials", str(good), env={"DATABASE_URL": db_url})
    assert done.returncode == 0 and "added 2" in done.stdout
    with Session(engine) as session:
        assert len(session.exec(select(OfficialEmail)).all()) == 3
