"""The web app's settings: one table drives defaults, environment variables and `litwatch serve` help."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from litwatch import config
from litwatch.config import Setting

__all__ = ["WEB_SETTINGS", "WebSettings"]

WEB_SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("public_read", "LITWATCH_PUBLIC_READ", "0", "anonymous visitors may read records and published reports"),
        Setting("secure_cookies", "LITWATCH_SECURE_COOKIES", "auto",
                "mark cookies Secure: 1 always, 0 never, auto when the request came over HTTPS"),
        Setting("work_dir", "LITWATCH_WEB_WORK_DIR", None, "folder for report drafts and uploads (default: a temp folder)"),
        Setting("max_upload", "LITWATCH_WEB_MAX_UPLOAD", str(20 << 20), "largest article upload for /audit, in bytes"),
    ]
}


def _get(name: str) -> str | None:
    value = os.environ.get(WEB_SETTINGS[name].env)
    return value if value else WEB_SETTINGS[name].default


@dataclass
class WebSettings:
    db: Path
    public_read: bool = False
    secure_cookies: str = "auto"  # "1" | "0" | "auto"
    templates_dir: str | None = None
    work_dir: Path | None = None
    max_upload: int = 20 << 20
    job_threads: int = 2
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, db: str | os.PathLike[str] | None = None, **overrides) -> "WebSettings":
        values = dict(
            db=config.db_path(db),
            public_read=str(_get("public_read")).lower() in ("1", "true", "yes", "on"),
            secure_cookies=str(_get("secure_cookies")).lower(),
            templates_dir=config.get("templates_dir"),
            work_dir=Path(_get("work_dir")) if _get("work_dir") else None,
            max_upload=int(_get("max_upload") or 0),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
