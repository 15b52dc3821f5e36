"""Content in several languages: a petition, a letter campaign's page or a prisoner's notes may
have a version per language, written by organisers. Visitors see the version in their language,
field by field, and the original wherever a version leaves a field empty.

One table holds the versions of every kind of content, keyed by (kind, object id, locale); the
kinds and their translatable fields are registered by their domains (content/registry.py), so
routes, the editor and the tests share one definition. The original is the text an organiser
entered in the object itself, in the site's default language.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from campaign.content.models import ContentVersion
from campaign.content.registry import KINDS, Kind
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.core.web import FormErrors


class Localized:
    """An object seen in one language: translated fields where a version has them, the original
    otherwise. Read-only, for templates; `lang` is the language of the translated text, if any."""

    def __init__(self, original: Any, overrides: dict[str, str], lang: str | None) -> None:
        self._original = original
        self._overrides = overrides
        self.lang = lang

    def __getattr__(self, name: str) -> Any:
        overrides = self.__dict__["_overrides"]
        if name in overrides:
            return overrides[name]
        return getattr(self.__dict__["_original"], name)

    @property
    def original(self) -> Any:
        return self._original

    def lang_of(self, field: str) -> str | None:
        """The language of the text shown for a field: the version's, or None for the original."""
        return self.lang if field in self._overrides else None


def _overrides(kind: Kind, version: ContentVersion | None) -> dict[str, str]:
    if version is None:
        return {}
    names = {field.name for field in kind.fields}
    return {name: text for name, text in version.fields.items() if name in names and text.strip()}


def version_of(session: Session, kind: str, object_id: int, locale: str) -> dict[str, str]:
    """The stored text of one language version (empty when there is none)."""
    version = session.get(ContentVersion, (kind, object_id, locale))
    return dict(version.fields) if version else {}


def versions_of(session: Session, kind: str, object_id: int) -> dict[str, dict[str, str]]:
    """Every stored version of an object, by language: for what is sent once to readers of
    many languages (an update to signers)."""
    rows = session.exec(
        select(ContentVersion).where(
            ContentVersion.kind == kind, ContentVersion.object_id == object_id
        )
    ).all()
    return {row.locale: dict(row.fields) for row in rows}


def delete_versions(session: Session, kind: str, object_id: int) -> None:
    """Remove an object's versions, when the object itself goes."""
    session.execute(
        delete(ContentVersion).where(
            col(ContentVersion.kind) == kind, col(ContentVersion.object_id) == object_id
        )
    )


def languages_of(session: Session, kind: str, object_id: int) -> list[str]:
    """The languages an object has a version in."""
    return list(
        session.exec(
            select(ContentVersion.locale)
            .where(ContentVersion.kind == kind, ContentVersion.object_id == object_id)
            .order_by(col(ContentVersion.locale))
        ).all()
    )


def localized(session: Session, kind: str, obj: Any, locale: str) -> Localized:
    """The object as a visitor reading `locale` sees it."""
    return localized_many(session, kind, [obj], locale)[0]


# What each object's version in a language says, keyed by the object's updated_at as read in
# the same request: every change of a version moves it (save_version), so an entry can never be
# stale, whatever another process changed, and needs no clearing. Signing and page views then
# read the versions of a petition from the database once per change, not once per request.
_VERSIONS: OrderedDict[tuple[str, str, int, str, datetime], dict[str, str]] = OrderedDict()
_VERSIONS_KEPT = 2048


def _remember(key: tuple[str, str, int, str, datetime], overrides: dict[str, str]) -> None:
    _VERSIONS[key] = overrides
    _VERSIONS.move_to_end(key)
    while len(_VERSIONS) > _VERSIONS_KEPT:
        _VERSIONS.popitem(last=False)


def localized_many(
    session: Session, kind: str, objs: Sequence[Any], locale: str
) -> list[Localized]:
    """Several objects of one kind in one language, with at most one query."""
    definition = KINDS[kind]
    database = str(session.get_bind().engine.url)
    keys = {obj.id: (database, kind, obj.id, locale, obj.updated_at) for obj in objs}
    known = {oid: _VERSIONS.get(key) for oid, key in keys.items()}
    missing = [oid for oid, overrides in known.items() if overrides is None]
    if missing:
        rows = session.exec(
            select(ContentVersion).where(
                ContentVersion.kind == kind,
                ContentVersion.locale == locale,
                col(ContentVersion.object_id).in_(missing),
            )
        ).all()
        versions = {row.object_id: row for row in rows}
        for oid in missing:
            known[oid] = _overrides(definition, versions.get(oid))
            _remember(keys[oid], known[oid])  # type: ignore[arg-type]
    result = []
    for obj in objs:
        overrides = dict(known[obj.id] or {})
        result.append(Localized(obj, overrides, locale if overrides else None))
    return result


def texts_in(
    session: Session, kind: str, locale: str, fields: Sequence[str]
) -> dict[int, list[str]]:
    """Some fields of every object's version in a language, by object id: what a visitor
    reading that language searches in. Each field read out of the JSON by the database."""
    columns = [col(ContentVersion.fields)[name].as_string() for name in fields]
    rows = session.execute(
        select(col(ContentVersion.object_id), *columns).where(
            ContentVersion.kind == kind, ContentVersion.locale == locale
        )
    ).all()
    return {int(row[0]): [text for text in row[1:] if text] for row in rows}


def text_in(session: Session, kind: str, obj: Any, field: str, locale: str) -> str:
    """One field as a reader of `locale` sees it: titles in the mails each person gets."""
    return str(getattr(localized(session, kind, obj, locale), field))


def parse_form(kind: str, raw: dict[str, str]) -> tuple[dict[str, str], FormErrors]:
    """The fields of a version as submitted, trimmed and checked against their limits."""
    errors = FormErrors()
    fields: dict[str, str] = {}
    for field in KINDS[kind].fields:
        text = raw.get(field.name, "").replace("\r\n", "\n").strip()
        if not field.multiline:
            text = " ".join(text.split())
        if len(text) > field.max_length:
            errors.add(
                field.name,
                _("Use at most %(count)s characters.", count=field.max_length),
            )
        fields[field.name] = text
    return fields, errors


def save_version(
    session: Session, kind: str, obj: Any, locale: str, fields: dict[str, str]
) -> bool:
    """Store (or, when every field is empty, remove) a version; True when one is kept.

    The object's updated_at moves too, so pages cached by version tag show the change.
    """
    kept = {name: text for name, text in fields.items() if text}
    session.execute(
        delete(ContentVersion).where(
            col(ContentVersion.kind) == kind,
            col(ContentVersion.object_id) == obj.id,
            col(ContentVersion.locale) == locale,
        )
    )
    if kept:
        session.add(ContentVersion(kind=kind, object_id=obj.id, locale=locale, fields=kept))
    obj.updated_at = utcnow()
    session.add(obj)
    definition = KINDS.get(kind)
    if definition is not None and definition.on_saved is not None:
        definition.on_saved(session, obj)
    session.flush()
    return bool(kept)


def translatable_locales(all_locales: Iterable[str], default_locale: str) -> list[str]:
    """The languages a version may be written in: all but the original's."""
    return [locale for locale in all_locales if locale != default_locale]
