"""Personal data encrypted at rest: AES-256-GCM under keys from DATA_KEYS, and the column types.

A value is stored as `v1$<key id>$<base64(nonce || ciphertext+tag)>`. The column's name is the
associated data, so a value copied into another column does not decrypt. The first key of
DATA_KEYS encrypts; every key listed decrypts, which is what lets `campaign rotate-keys` move
old values to a new key while the site keeps running.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

VERSION = "v1"
PREFIX = VERSION + "$"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value cannot be decrypted: its key is not in DATA_KEYS, or it was altered."""


def new_key() -> str:
    """A fresh random key, in the form DATA_KEYS takes (URL-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_key(text: str) -> bytes:
    """The 32 bytes of a key written as URL-safe base64; ValueError when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode() + b"=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError(
            "each key must be 32 random bytes in URL-safe base64 (campaign generate-key)"
        )
    return raw


def key_id(key: bytes) -> str:
    """A short public name for a key, stored with each value it encrypted."""
    return hashlib.sha256(b"campaign.data-key:" + key).hexdigest()[:8]


class Keyring:
    """The keys in use: the first encrypts, all of them decrypt."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("DATA_KEYS holds no key")
        raw = [parse_key(key) for key in keys]
        self.current = key_id(raw[0])
        self._ciphers = {key_id(key): AESGCM(key) for key in raw}

    @property
    def key_ids(self) -> list[str]:
        return list(self._ciphers)

    def encrypt(self, plaintext: bytes, context: bytes) -> str:
        """The value sealed under the current key, bound to `context` (the column)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current].encrypt(nonce, plaintext, context)
        encoded = binascii.b2a_base64(nonce + sealed, newline=False).decode()
        return f"{PREFIX}{self.current}${encoded}"

    def decrypt(self, stored: str, context: bytes) -> bytes:
        """The plaintext of a stored value; DecryptionError when it cannot be trusted."""
        # Fixed layout, read by position: this runs for every field of every exported row.
        if stored[:3] != PREFIX or stored[11:12] != "$":
            raise DecryptionError(f"{context.decode()}: not an encrypted value")
        cipher = self._ciphers.get(stored[3:11])
        if cipher is None:
            raise DecryptionError(
                f"{context.decode()}: encrypted with key {stored[3:11]}, which DATA_KEYS lacks"
            )
        try:
            raw = binascii.a2b_base64(stored[12:], strict_mode=True)
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
        except (binascii.Error, ValueError, InvalidTag):
            raise DecryptionError(
                f"{context.decode()}: value altered or moved from another column"
            ) from None

    def text_opener(self, context: str) -> Callable[[str], str]:
        """A function that decrypts stored values of one column to text (empty stays empty),
        for reading many rows at once without a column type's layers per value."""
        aad = context.encode()
        decrypt, ciphers, from_base64 = self.decrypt, self._ciphers, binascii.a2b_base64

        def open_text(stored: str) -> str:
            if not stored:
                return stored
            # The usual case inline (a third of an export's time was this call's layers);
            # anything unusual goes through decrypt, which raises the DecryptionError.
            cipher = ciphers.get(stored[3:11])
            if cipher is not None and stored[:3] == PREFIX and stored[11:12] == "$":
                try:
                    raw = from_base64(stored[12:], strict_mode=True)
                    return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad).decode()
                except (binascii.Error, ValueError, InvalidTag):
                    pass
            return decrypt(stored, aad).decode()

        return open_text

    def texts_opener(self, context: str) -> Callable[[Sequence[str]], list[str]]:
        """`text_opener` for a whole batch of one column at once: the same values and errors,
        without a call per value (what an export of a million rows opens)."""
        aad = context.encode()
        decrypt, ciphers, from_base64 = self.decrypt, self._ciphers, binascii.a2b_base64

        def open_texts(values: Sequence[str]) -> list[str]:
            opened = []
            for stored in values:
                if stored:
                    cipher = ciphers.get(stored[3:11])
                    if cipher is not None and stored[:3] == PREFIX and stored[11:12] == "$":
                        try:
                            raw = from_base64(stored[12:], strict_mode=True)
                            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
                            opened.append(plain.decode())
                            continue
                        except (binascii.Error, ValueError, InvalidTag):
                            pass
                    opened.append(decrypt(stored, aad).decode())
                else:
                    opened.append(stored)
            return opened

        return open_texts

    def is_current(self, stored: str | None) -> bool:
        """Whether a stored value needs no rotation (empty values are stored as they are)."""
        return not stored or stored.startswith(f"{PREFIX}{self.current}$")


_keyring: Keyring | None = None


def use_keys(keys: Sequence[str]) -> Keyring:
    """Make these keys the process's keyring (the app, the CLI and the worker call it once)."""
    global _keyring
    _keyring = Keyring(keys)
    return _keyring


def keyring() -> Keyring:
    """The process's keyring, read from the settings if nobody installed one."""
    if _keyring is None:
        from campaign.core.settings import get_settings

        return use_keys(get_settings().data_keys)
    return _keyring


class _Encrypted(TypeDecorator[Any]):
    """A text column holding ciphertext bound to the column's name."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context
        self._aad = context.encode()

    def _seal(self, plain: str) -> str:
        return keyring().encrypt(plain.encode(), self._aad)

    def _open(self, stored: str) -> str:
        return keyring().decrypt(stored, self._aad).decode()


class EncryptedText(_Encrypted):
    """A text column stored encrypted; the empty string stays empty (it reveals nothing)."""

    cache_ok = True  # SQLAlchemy reads it from each class itself, not from a base

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return self._seal(value) if value else value

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return self._open(value) if value else value


class EncryptedJSON(_Encrypted):
    """A JSON document stored encrypted as text."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self._seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(self._open(value))


def encrypted_field(context: str, *, optional: bool = False) -> Any:
    """A model field of personal text, stored encrypted; `optional` ones default to ""."""
    column: Column[str] = Column(
        EncryptedText(context), nullable=False, default="" if optional else None
    )
    return Field(default="", sa_column=column) if optional else Field(sa_column=column)


def encrypted_json_field(context: str) -> Any:
    """A model field holding a JSON object with personal data, stored encrypted."""
    return Field(default_factory=dict, sa_column=Column(EncryptedJSON(context), nullable=False))
