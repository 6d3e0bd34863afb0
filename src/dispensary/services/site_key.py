"""The site key: an Ed25519 key, kept outside the database, that signs each line of the anchor log.

The anchor log beside the backups remembers where the audit chain stood at each backup, so that a
history rewritten inside the database later fails against it (services/backup). Someone who can
write both the database and the backup folder could rewrite the log as well. A line signed with
the site key cannot be written again without the key: the key is kept where the database and
the backups are not (a protected folder of the workstation that makes the backups, or removable
media), and its public half, with a short fingerprint, goes in the site's quality binder and in
the audit trail. `audit verify --anchor-log --public-key FILE` then trusts only the lines the key
signed, and names any line whose signature does not match.

The key is optional: with none set, the log is written as before, unsigned. A key is set for a
workstation (settings.json `site_key`, or DISPENSARY_SITE_KEY naming the file) by an
administrator, with a reason, and each set-up is recorded in the audit trail. The command
(`audit site-key`) and the Settings screen both go through `create` and `use`; the screen asks
`check_new` and `check_existing` first, so that a refusal comes before the reason is asked.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dispensary.config import Settings
from dispensary.db.engine import write_transaction
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import check_text
from dispensary.files import PRIVATE_MODE, os_detail, shown, with_detail, write_error_text
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require

ENV_SITE_KEY = "DISPENSARY_SITE_KEY"
ENTITY = "site_key"
CREATED, SET = AuditAction.SITE_KEY_CREATED, AuditAction.SITE_KEY_SET
SCHEME = "ed25519"
"""How a signature field and a public key file start: `ed25519:<base64>`, `ed25519 <base64>`."""
PUBLIC_SUFFIX = ".pub"


@dataclass(frozen=True)
class SiteKey:
    """A site key as the workstation uses it: where its private half is, its public half (the
    raw 32 bytes in base64) and the fingerprint read out for the quality binder."""

    path: str
    public_key: str
    fingerprint: str
    public_file: str = ""  # written beside the key when it was created here
    at: datetime | None = None


def fingerprint(public_raw: bytes) -> str:
    """The first 64 bits of the public key's SHA-256, in four groups of four hex digits: short
    enough to compare by eye with the binder's copy."""
    digest = hashlib.sha256(public_raw).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def _public_raw(private: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return raw


def _load_private(path: Path) -> Any:
    """The private key in `path` (PEM, unencrypted): a clear refusal for anything else."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            with_detail(
                _("The site key {path} cannot be read. Give the key file's path.").format(
                    path=shown(path)
                ),
                os_detail(exc),
            )
        ) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            _(
                "{path} is not a site key (an Ed25519 private key in PEM, without a "
                "passphrase, as Settings > Create a new site key… or `dispensary audit "
                "site-key --create` writes it)."
            ).format(path=shown(path))
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(
            _(
                "{path} is not a site key (an Ed25519 private key in PEM, without a "
                "passphrase, as Settings > Create a new site key… or `dispensary audit "
                "site-key --create` writes it)."
            ).format(path=shown(path))
        )
    return key


def _described(path: Path, private: Any) -> SiteKey:
    """The key, with its public file named when the one beside it holds its public half (as
    `create` wrote it): where the copy for the quality binder is."""
    raw = _public_raw(private)
    beside = path.with_name(path.name + PUBLIC_SUFFIX)
    public_file = ""
    with contextlib.suppress(InvalidInput, OSError):
        if beside.is_file() and public_key(str(beside)) == raw:
            public_file = str(beside)
    return SiteKey(str(path), base64.b64encode(raw).decode("ascii"), fingerprint(raw), public_file)


def configured() -> Path | None:
    """The site key this workstation signs with: DISPENSARY_SITE_KEY, else its settings; None
    when it has none."""
    named = os.environ.get(ENV_SITE_KEY) or Settings.load().site_key
    return Path(named).expanduser() if isinstance(named, str) and named.strip() else None


def current() -> SiteKey | None:
    """The site key this workstation signs with, described; None when none is set. A key set
    but unreadable is refused with what to do."""
    path = configured()
    return None if path is None else _described(path, _load_private(path))


def check_not_overridden(path: Path | None = None) -> None:
    """Setting a key is refused while DISPENSARY_SITE_KEY names another one: the workstation
    would go on signing with that one while the audit trail recorded this one set. Without
    `path` (no key chosen yet), refused whenever the variable is set: the screen says so
    before anything is asked."""
    named = os.environ.get(ENV_SITE_KEY, "").strip()
    if not named:
        return
    if path is None:
        raise RuleViolation(
            _(
                "{variable} is set on this computer and names the site key {named}, whatever "
                "is set here. Remove {variable} from this computer's environment, then set "
                "another key here."
            ).format(variable=ENV_SITE_KEY, named=shown(Path(named)))
        )
    if Path(named).expanduser().absolute() != path:
        raise RuleViolation(
            _(
                "{variable} is set on this computer and names the site key {named}, whatever "
                "is set here. Nothing was changed. Remove {variable} from this computer's "
                "environment (or point it at {path}), then set the key again."
            ).format(variable=ENV_SITE_KEY, named=shown(Path(named)), path=shown(path))
        )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Writes a file that must not exist yet (never over an earlier key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def check_new(actor: Actor, out: str | Path) -> Path:
    """Where `create` would write a new key (absolute), or its refusal: the permission, the
    variable naming another key, a file already there."""
    require(actor, Permission.WORKSTATION)
    path = Path(out).expanduser().absolute()
    check_not_overridden(path)
    public_path = path.with_name(path.name + PUBLIC_SUFFIX)
    for existing in (path, public_path):
        if existing.exists():
            raise InvalidInput(
                _(
                    "{path} already exists: a site key is never written over (the lines it "
                    "signed would no longer verify). Give a new file name, or set the "
                    "existing key (Settings > Use an existing key file…, or `audit site-key "
                    "--use`)."
                ).format(path=shown(existing))
            )
    return path


def check_existing(actor: Actor, key_file: str | Path) -> SiteKey:
    """The key `use` would set, described, or its refusal: the permission, the variable naming
    another key, a file that is not a site key."""
    require(actor, Permission.WORKSTATION)
    path = Path(key_file).expanduser().absolute()
    check_not_overridden(path)
    return _described(path, _load_private(path))


def _reason(reason: str) -> str:
    return check_text(reason, N_("reason for the change"))


def create(ctx: Context, actor: Actor, out: str | Path, reason: str) -> SiteKey:
    """A new site key in `out` (owner-only) and its public half in `out.pub`, set for this
    workstation; the public key, fingerprint and reason are recorded in the audit trail."""
    require(actor, Permission.WORKSTATION)
    why = _reason(reason)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = check_new(actor, out)
    public_path = path.with_name(path.name + PUBLIC_SUFFIX)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    raw = _public_raw(private)
    key = SiteKey(
        str(path), base64.b64encode(raw).decode("ascii"), fingerprint(raw), str(public_path)
    )
    public_text = (
        f"{SCHEME} {key.public_key}\n"
        f"# Dispensary site key, fingerprint {key.fingerprint}: give this file to "
        "`dispensary audit verify --anchor-log --public-key`.\n"
    )
    written: list[Path] = []
    try:
        _write_new(path, pem, PRIVATE_MODE)
        written.append(path)
        _write_new(public_path, public_text.encode("ascii"), 0o644)
        written.append(public_path)
        at = _record(ctx, actor, CREATED, key, why)
    except OSError as exc:
        _remove(written)
        raise InvalidInput(write_error_text(exc, path, written=True)) from exc
    except BaseException:
        _remove(written)
        raise
    return SiteKey(key.path, key.public_key, key.fingerprint, key.public_file, at)


def use(ctx: Context, actor: Actor, key_file: str | Path, reason: str) -> SiteKey:
    """Sets an existing site key (made on another workstation, or kept on removable media) for
    this workstation; recorded in the audit trail with the reason."""
    require(actor, Permission.WORKSTATION)
    why = _reason(reason)
    key = check_existing(actor, key_file)
    at = _record(ctx, actor, SET, key, why)
    return SiteKey(key.path, key.public_key, key.fingerprint, key.public_file, at)


def _record(ctx: Context, actor: Actor, action: AuditAction, key: SiteKey, why: str) -> datetime:
    """The audit entry and the workstation's setting, in one step: a setting that cannot be
    saved rolls the entry back, and a commit that fails after the setting was saved puts the
    setting back (no key in use that the audit trail does not show set)."""
    now = ctx.clock.now()
    before = Settings.load().site_key
    saved = False
    try:
        _record_step(ctx, actor, action, key, why, now)
        saved = True
    finally:
        if not saved and Settings.load().site_key != before:
            settings = Settings.load()
            settings.site_key = before
            with contextlib.suppress(OSError):
                settings.save()
    return now


def _record_step(
    ctx: Context, actor: Actor, action: AuditAction, key: SiteKey, why: str, now: datetime
) -> None:
    with write_transaction(ctx.engine) as session:
        Recorder(session, actor, now).audit(
            action,
            ENTITY,
            key.fingerprint,
            {"public_key": key.public_key, "fingerprint": key.fingerprint, "file": key.path},
            reason=why,
        )
        settings = Settings.load()
        settings.site_key = key.path
        try:
            settings.save()
        except OSError as exc:
            raise InvalidInput(
                with_detail(
                    _(
                        "The site key could not be set on this workstation. Nothing was changed. "
                        "Check the settings folder, then try again."
                    ),
                    os_detail(exc),
                )
            ) from exc


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


def sign(message: str) -> tuple[str, str]:
    """The signature field of an anchor log line (`ed25519:<base64>`) with this workstation's
    site key, and a warning ("" when signed). No key set: no field, no warning."""
    path = configured()
    if path is None:
        return "", ""
    try:
        private = _load_private(path)
    except InvalidInput as exc:
        return "", str(exc)
    signature = private.sign(message.encode("utf-8"))
    return f"{SCHEME}:{base64.b64encode(signature).decode('ascii')}", ""


def public_key(given: str) -> bytes:
    """The raw public key from a public key file (`ed25519 <base64>`, as --create writes it)
    or the base64 text itself."""
    path = Path(given).expanduser()
    text = given
    try:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        pass
    for line in text.splitlines() or [text]:
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        encoded = words[1] if words[0] == SCHEME and len(words) > 1 else words[0]
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            break
        if len(raw) == 32:
            return raw
        break
    raise InvalidInput(
        _(
            "{given} is not a site key's public half: give the .pub file written beside the "
            "key (a line `ed25519 <key>`) or the key's text."
        ).format(given=shown(given))
    )


def signed_by(public_raw: bytes, message: str, field: str) -> bool:
    """Whether `field` (`ed25519:<base64>`) is the site key's signature of `message`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    scheme, _sep, encoded = field.partition(":")
    if scheme != SCHEME:
        return False
    try:
        signature = base64.b64decode(encoded, validate=True)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message.encode("utf-8"))
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
