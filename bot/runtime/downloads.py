"""Files offered by link (Zalo sends no documents): kept in a folder, served by signed,
expiring links from the bot's own HTTP server.

A link is ``<public base>/files/<name>?e=<expiry, unix seconds>&s=<signature>``, the
signature an HMAC-SHA256 of the name and the expiry under a secret from the environment
(domain/signing.py).
Without the secret nobody can make a link, lengthen one, or point one at another file.
Names are the file's content hash and its sanitised name, checked against a strict pattern
and resolved inside the folder, so a request cannot reach anything else on the disk.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from bot.runtime.clock import Clock, system_clock
from domain.signing import expiry, signature, signed
from handlers.events import Document

log = logging.getLogger(__name__)

PATH_PREFIX = "/files/"
MIN_SECRET_LENGTH = 16
# Letters of any script (Vietnamese names stay readable), digits, "._-" and inner spaces:
# never a slash, a control character or a leading dot.
_NAME = re.compile(r"^[0-9a-f]{24}-[^\W_][\w. -]{0,199}$")
_UNSAFE = re.compile(r"[^\w. -]+")
# Bytes of the name part on disk: with the hash and ".part", under the usual 255.
_NAME_BYTES = 200
OCTET_STREAM = "application/octet-stream"
_CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".md": "text/markdown; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Served:
    """The answer to a download request: a status, and the file when it is 200."""

    status: int
    body: bytes = b""
    content_type: str = OCTET_STREAM
    file_name: str = ""


class Downloads:
    """Publishes documents as signed links and serves them back."""

    def __init__(
        self,
        folder: Path,
        base_url: str,
        secret: str,
        days: int,
        clock: Clock = system_clock,
    ) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the download secret needs {MIN_SECRET_LENGTH} characters or more")
        self.folder = folder
        self.base_url = base_url.rstrip("/")
        self._key = secret.encode()
        self.days = days
        self.clock = clock

    def publish(self, document: Document) -> tuple[str, datetime]:
        """Keep the document in the folder; its link and when the link expires."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._prune()
        digest = hashlib.sha256(document.content).hexdigest()[:24]
        name = f"{digest}-{_safe_name(document.file_name)}"
        path = self.folder / name
        if path.exists():
            path.touch()  # published again: not pruned before this link expires
        else:
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(document.content)
            partial.replace(path)  # never serve a half-written file
        expires = self.clock() + timedelta(days=self.days)
        return self.link(name, int(expires.timestamp())), expires

    def link(self, name: str, expires: int) -> str:
        """The signed URL of a published file name, valid until `expires` (unix seconds)."""
        sig = signature(self._key, name, expires)
        return f"{self.base_url}{PATH_PREFIX}{quote(name)}?e={expires}&s={sig}"

    def serve(self, target: str) -> Served:
        """Answer a request target ("/files/NAME?e=...&s=..."): 200 with the file, 403 for a
        missing, wrong or expired signature, 404 for a name that is not a published file."""
        parts = urlsplit(target)
        quoted = parts.path[len(PATH_PREFIX) :] if parts.path.startswith(PATH_PREFIX) else ""
        name = unquote(quoted)  # a byte that is not UTF-8 becomes U+FFFD: not a name
        if not _NAME.fullmatch(name) or unicodedata.normalize("NFC", name) != name:
            return Served(404)
        query = parse_qs(parts.query)
        expires = expiry((query.get("e") or [""])[0])
        given = (query.get("s") or [""])[0]
        if expires is None or not signed(self._key, given, name, expires):
            log.warning("download of %s refused: wrong or missing signature", name)
            return Served(403)
        if expires < self.clock().timestamp():
            return Served(403)
        path = (self.folder / name).resolve()
        if path.parent != self.folder.resolve() or not path.is_file():
            return Served(404)
        original = name.split("-", 1)[1]
        content_type = _CONTENT_TYPES.get(Path(original).suffix.lower(), OCTET_STREAM)
        return Served(200, path.read_bytes(), content_type, original)

    def _prune(self) -> None:
        """Delete files whose every link has expired (they were published over `days` ago)."""
        oldest = time.time() - timedelta(days=self.days + 1).total_seconds()
        for path in self.folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < oldest:
                    path.unlink()
            except OSError as error:  # another process may be pruning too
                log.info("could not prune %s: %s", path.name, error)


def content_disposition(file_name: str) -> str:
    """An attachment header with the name in full (RFC 6266 `filename*`, UTF-8) and an
    ASCII approximation for clients that know only `filename`."""
    stripped = unicodedata.normalize("NFD", file_name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in stripped if unicodedata.category(c) != "Mn")
    fallback = re.sub(r"[^A-Za-z0-9._ -]+", "_", ascii_name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def _safe_name(file_name: str) -> str:
    """The file's own name, NFC, with anything but letters, digits, "._-" and spaces
    replaced, cut from the front (the extension is kept) to fit a file system's limit."""
    text = unicodedata.normalize("NFC", Path(file_name.replace("\\", "/")).name)
    safe = _UNSAFE.sub("_", text).strip("._ ")
    while len(safe.encode()) > _NAME_BYTES:
        safe = safe[1:].lstrip("._ ")
    return safe or "file"
