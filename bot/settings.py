"""Typed settings from the environment (and a .env file), validated once at start-up."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from faq.reader import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, FaqLimits

TELEGRAM_API = "https://api.telegram.org/bot"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal[
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "off"
]
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


class SettingsError(Exception):
    """A setting is missing or invalid. The message names it and never echoes secrets."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    faq_path: Path | None = None
    bot_data_dir: Path = Path("data")
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    retention_days: int = Field(default=90, ge=1, le=3650)
    bot_hash_secret: SecretStr | None = None
    faq_reload_seconds: float = Field(default=2.0, gt=0, le=60)
    # A larger FAQ is refused before it is read or parsed (see faq/reader.py).
    faq_max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=10_000, le=100_000_000)
    faq_max_entries: int = Field(default=DEFAULT_MAX_ENTRIES, ge=1, le=100_000)
    flood_max_messages: int = Field(default=8, ge=1)
    flood_window_seconds: float = Field(default=30.0, gt=0)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(default=8443, ge=1, le=65535)
    # False: a translation not yet marked reviewed is not sent; the English one is.
    serve_unreviewed_translations: bool = True
    # The weekly review digest for admins ("off": only when they send /review).
    review_digest_day: Weekday = "monday"
    review_digest_hour: int = Field(default=9, ge=0, le=23)
    clinic_timezone: str = "Asia/Kolkata"

    @field_validator(
        "telegram_bot_token",
        "bot_hash_secret",
        "webhook_secret",
        "faq_path",
        "webhook_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # .env.example lists every setting with an empty value: empty means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return SecretStr(value.get_secret_value().strip()) if value else None

    @field_validator("bot_hash_secret")
    @classmethod
    def _secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (or empty to generate one)")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        return value.strip()

    @field_validator("review_digest_day", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("clinic_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name such as Asia/Kolkata") from None
        return value.strip()

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("must be Telegram user ids (numbers) separated by commas")
            return frozenset(int(p) for p in parts)
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        # Without the secret, anyone who can reach the port could forge updates, for
        # example /forget in another patient's name.
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        if self.webhook_url and not self.webhook_url.startswith("https://"):
            raise ValueError("WEBHOOK_URL must be an https:// address (Telegram requires it)")
        return self

    @property
    def faq_limits(self) -> FaqLimits:
        return FaqLimits(max_bytes=self.faq_max_bytes, max_entries=self.faq_max_entries)

    @property
    def review_digest_time(self) -> time | None:
        """When on its day the digest is sent, in the clinic's time zone (None: never)."""
        if self.review_digest_day == "off":
            return None
        return time(self.review_digest_hour, tzinfo=ZoneInfo(self.clinic_timezone))

    @property
    def review_digest_days(self) -> tuple[int, ...]:
        """The digest's day as python-telegram-bot numbers it (0 = Sunday … 6 = Saturday)."""
        if self.review_digest_day == "off":
            return ()
        return ((WEEKDAYS.index(self.review_digest_day) + 1) % 7,)

    def next_review_digest(self, after: datetime) -> datetime | None:
        """The first digest time strictly after `after` (an aware datetime), in clinic time."""
        at = self.review_digest_time
        if at is None:
            return None
        zone = ZoneInfo(self.clinic_timezone)
        local = after.astimezone(zone)
        target = WEEKDAYS.index(self.review_digest_day)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            candidate = datetime.combine(day, at.replace(tzinfo=None), zone)
            if day.weekday() == target and candidate > local:
                return candidate
        raise AssertionError("a weekday recurs within eight days")

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; SettingsError names the first bad one."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "WEBHOOK settings"
        # pydantic's own message can quote the input value, which may be a secret.
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {name}: {message}") from None
