"""Typed settings: every knob is a ``ROOFOPS_`` environment variable (or a line in ``.env``)."""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite:///var/roofops.db"
MAX_DEFAULT_WEB_WORKERS = 8


def vendor_alias(name: str) -> AliasChoices:
    """A vendor setting answers to ``ROOFOPS_<NAME>`` and to the bare name the vendor's own
    documentation and older deployments use (``JOBNIMBUS_API_KEY``, ``QB_CLIENT_ID``...)."""
    return AliasChoices(f"ROOFOPS_{name}", name)


class Settings(BaseSettings):
    """Process-wide configuration, read once from the environment."""

    model_config = SettingsConfigDict(
        env_prefix="ROOFOPS_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_SQLITE_URL
    data_dir: Path = Path("var")
    base_url: str = "http://127.0.0.1:8000"

    # Comma-separated Fernet keys, newest first; older keys still decrypt (rotation).
    encryption_keys: SecretStr | None = None
    session_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    # None means "secure unless the base URL is plain http" (the local demo).
    session_cookie_secure: bool | None = None
    # Failed sign-ins for one e-mail from one address within the window before HTTP 429; the
    # account as a whole (every address) allows more, so an outsider cannot lock its owner out.
    login_max_failures: int = Field(default=5, ge=1)
    login_max_account_failures: int = Field(default=50, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)

    # Customer portal: a magic link signs in once within its lifetime; the session it opens
    # lasts this many days (docs/portal.md).
    portal_link_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    portal_session_days: int = Field(default=30, ge=1, le=365)
    # Rate limits of the portal (counted in the database, so across replicas): requests for
    # a new sign-in link per e-mail address and per client address each hour, and messages
    # to the office per customer each hour and each day. Over a limit: HTTP 429, no mail.
    portal_link_requests_per_email_hour: int = Field(default=3, ge=1)
    portal_link_requests_per_address_hour: int = Field(default=20, ge=1)
    portal_messages_per_hour: int = Field(default=10, ge=1)
    portal_messages_per_day: int = Field(default=30, ge=1)

    # Request bodies are refused with 413 beyond these sizes, before anything reads them.
    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)

    log_level: str = "INFO"
    # None means JSON in production and readable lines elsewhere.
    log_json: bool | None = None

    worker_concurrency: int = Field(default=4, ge=1, le=64)
    worker_heartbeat_seconds: int = Field(default=15, ge=1)
    worker_stale_seconds: int = Field(default=90, ge=5)
    cron_enabled: bool = True
    metrics_token: SecretStr | None = None

    # Web worker processes of `roofops serve`; unset: one per CPU core (at most 8). Python runs
    # one request's code at a time per process, so a second core needs a second process.
    web_workers: int | None = Field(default=None, ge=1, le=64)
    # Set by `roofops serve` for its workers when several share one demo: the address of the
    # one process that holds the demo's fake vendors (their state lives in memory).
    sandbox_upstream: str | None = None

    # Invoices: days from the issue date to the due date, and the share of the contract a
    # deposit invoice asks for when the request names none.
    invoice_payment_terms_days: int = Field(default=30, ge=0, le=365)
    invoice_deposit_percent: Decimal = Field(default=Decimal(30), gt=0, le=100)
    # Overdue reminders: when the daily sweep runs (a crontab read in the company's time zone,
    # checked every 15 minutes) and how many days past the due date each reminder goes out.
    invoice_reminder_cron: str = "0 8 * * *"
    invoice_reminder_days: str = "7,14,30"
    # "How to pay" in every invoice and reminder e-mail ({company} and {number} are filled in).
    invoice_payment_instructions: str = (
        "Pay by check made out to {company}, or by bank transfer, quoting invoice {number}."
    )

    # The weekly executive report (PDF): when it is e-mailed (a crontab read in the company's
    # time zone, checked every 15 minutes), to whom (comma-separated addresses; empty: every
    # active admin and finance user), and whether at all.
    executive_report_enabled: bool = True
    executive_report_cron: str = "0 7 * * mon"
    executive_report_recipients: str = ""

    # Dispatch: the production schedule's default horizon (calendar days from its start), how
    # long the optimizer and a re-plan may search, and the objective's weights (points per late
    # working day x priority, per km of daily commute, per idle crew-day, per job moved from the
    # published plan). docs/dispatch.md says how they trade off.
    dispatch_horizon_days: int = Field(default=28, ge=7, le=120)
    dispatch_time_limit_seconds: float = Field(default=20, gt=0, le=600)
    dispatch_replan_time_limit_seconds: float = Field(default=4, gt=0, le=120)
    dispatch_weight_lateness: int = Field(default=100, ge=0)
    dispatch_weight_travel_per_km: int = Field(default=1, ge=0)
    dispatch_weight_idle: int = Field(default=20, ge=0)
    dispatch_weight_change: int = Field(default=200, ge=0)

    # Outgoing mail (invoices, reminders). No host: sending is refused with a 409, except for
    # the demo company, whose mail is written as .eml files under {data_dir}/outbox.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    # starttls: plain connection upgraded (port 587); tls: TLS from the start (465); none: a
    # local relay only.
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=15, gt=0, le=300)
    mail_from: str = ""

    # Trust X-Forwarded-For/-Proto only from these proxy addresses ("*" behind a private LB).
    proxy_headers: bool = True
    forwarded_allow_ips: str = "127.0.0.1"

    # JobNimbus (CRM). The key typed in Settings > Integrations wins over this one.
    jobnimbus_enabled: bool = Field(
        default=False, validation_alias=vendor_alias("JOBNIMBUS_ENABLED")
    )
    jobnimbus_api_key: SecretStr | None = Field(
        default=None, validation_alias=vendor_alias("JOBNIMBUS_API_KEY")
    )
    jobnimbus_base_url: str = Field(
        default="https://app.jobnimbus.com/api1/",
        validation_alias=vendor_alias("JOBNIMBUS_BASE_URL"),
    )
    jobnimbus_sync_minutes: int = Field(
        default=15, ge=0, le=24 * 60, validation_alias=vendor_alias("JOBNIMBUS_SYNC_MINUTES")
    )

    # Weather forecasts (Open-Meteo) for dispatching. The free API is for non-commercial use:
    # a contractor needs a subscription (ROOFOPS_WEATHER_BASE_URL at customer-api.open-meteo.com
    # and ROOFOPS_WEATHER_API_KEY). A demo database uses its sandbox whatever these say.
    weather_enabled: bool = False
    weather_base_url: str = "https://api.open-meteo.com/v1/"
    weather_api_key: SecretStr | None = None
    weather_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    weather_rain_probability_pct: float = Field(default=60.0, gt=0, le=100)
    weather_rain_mm: float = Field(default=2.0, gt=0)
    weather_wind_mph: float = Field(default=25.0, gt=0)
    # Shingle sealant needs 40 F; some adhesives (and manufacturers) ask for 45 F.
    weather_shingle_min_f: float = Field(default=40.0, ge=0, le=80)
    weather_tpo_min_f: float = Field(default=40.0, ge=0, le=80)

    # Forecasting (docs/forecasting.md): threads the numeric libraries may use inside a run, and
    # how many rolling origins (a quarter apart) the nightly run backtests its models on.
    forecast_threads: int = Field(default=1, ge=1, le=64)
    forecast_backtest_origins: int = Field(default=3, ge=0, le=12)

    # Travel times for daily routes: straight lines with a road factor, or an OSRM server.
    travel_provider: Literal["straight_line", "osrm"] = "straight_line"
    osrm_url: str = ""
    osrm_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # QuickBooks Online (accounting). Connecting in Settings > Integrations is the normal path;
    # the token variables below only seed the first connection (ARCHITECTURE Rule 5).
    qb_enabled: bool = Field(default=False, validation_alias=vendor_alias("QB_ENABLED"))
    # Intuit calls the company id "realmId"; older deployments name it QB_COMPANY_ID.
    qb_realm_id: str = Field(
        default="",
        validation_alias=AliasChoices(
            *vendor_alias("QB_REALM_ID").choices, *vendor_alias("QB_COMPANY_ID").choices
        ),
    )
    qb_client_id: str = Field(default="", validation_alias=vendor_alias("QB_CLIENT_ID"))
    qb_client_secret: SecretStr | None = Field(
        default=None, validation_alias=vendor_alias("QB_CLIENT_SECRET")
    )
    qb_refresh_token: SecretStr | None = Field(
        default=None, validation_alias=vendor_alias("QB_REFRESH_TOKEN")
    )
    qb_access_token: SecretStr | None = Field(
        default=None, validation_alias=vendor_alias("QB_ACCESS_TOKEN")
    )
    qb_base_url: str = Field(
        default="https://quickbooks.api.intuit.com", validation_alias=vendor_alias("QB_BASE_URL")
    )
    qb_authorize_url: str = Field(
        default="https://appcenter.intuit.com/connect/oauth2",
        validation_alias=vendor_alias("QB_AUTHORIZE_URL"),
    )
    qb_token_url: str = Field(
        default="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        validation_alias=vendor_alias("QB_TOKEN_URL"),
    )
    qb_revoke_url: str = Field(
        default="https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
        validation_alias=vendor_alias("QB_REVOKE_URL"),
    )
    # Empty means {base_url}/integrations/quickbooks/callback.
    qb_redirect_uri: str = Field(default="", validation_alias=vendor_alias("QB_REDIRECT_URI"))
    qb_sync_enabled: bool = Field(default=True, validation_alias=vendor_alias("QB_SYNC_ENABLED"))
    qb_nightly_sync_hour: int = Field(
        default=2, ge=0, le=23, validation_alias=vendor_alias("QB_NIGHTLY_SYNC_HOUR")
    )
    # The app's webhook "verifier token" from the Intuit developer portal.
    qb_webhook_verifier_token: SecretStr | None = Field(
        default=None, validation_alias=vendor_alias("QB_WEBHOOK_VERIFIER_TOKEN")
    )

    # Xero (accounting). Connect in Settings > Integrations; a company keeps its books in
    # QuickBooks or Xero, not both.
    xero_client_id: str = Field(default="", validation_alias=vendor_alias("XERO_CLIENT_ID"))
    xero_client_secret: SecretStr | None = Field(
        default=None, validation_alias=vendor_alias("XERO_CLIENT_SECRET")
    )
    # Empty means {base_url}/integrations/xero/callback.
    xero_redirect_uri: str = Field(default="", validation_alias=vendor_alias("XERO_REDIRECT_URI"))
    # The Accounting API and /connections live here.
    xero_base_url: str = Field(
        default="https://api.xero.com", validation_alias=vendor_alias("XERO_BASE_URL")
    )
    xero_authorize_url: str = Field(
        default="https://login.xero.com/identity/connect/authorize",
        validation_alias=vendor_alias("XERO_AUTHORIZE_URL"),
    )
    xero_token_url: str = Field(
        default="https://identity.xero.com/connect/token",
        validation_alias=vendor_alias("XERO_TOKEN_URL"),
    )
    xero_revoke_url: str = Field(
        default="https://identity.xero.com/connect/revocation",
        validation_alias=vendor_alias("XERO_REVOKE_URL"),
    )
    xero_sync_enabled: bool = Field(
        default=True, validation_alias=vendor_alias("XERO_SYNC_ENABLED")
    )
    xero_nightly_sync_hour: int = Field(
        default=2, ge=0, le=23, validation_alias=vendor_alias("XERO_NIGHTLY_SYNC_HOUR")
    )
    # The name of the tracking category whose options are jobs ("5003 Smith").
    xero_job_tracking_category: str = Field(
        default="Job", validation_alias=vendor_alias("XERO_JOB_TRACKING_CATEGORY")
    )
    # The app's webhook signing key from the Xero developer portal (Webhooks tab).
    xero_webhook_key: SecretStr | None = Field(
        default=None, validation_alias=vendor_alias("XERO_WEBHOOK_KEY")
    )

    @field_validator("invoice_reminder_days")
    @classmethod
    def _reminder_days(cls, value: str) -> str:
        reminder_steps(value)  # refuses a bad list at start-up, not at 8 a.m.
        return value

    @field_validator("invoice_reminder_cron", "executive_report_cron")
    @classmethod
    def _reminder_cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError("a crontab of five fields, e.g. '0 8 * * *'")
        return value

    @property
    def reminder_steps(self) -> tuple[int, ...]:
        return reminder_steps(self.invoice_reminder_days)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def web_worker_count(self) -> int:
        return self.web_workers or min(_usable_cpus(), MAX_DEFAULT_WEB_WORKERS)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return not self.base_url.startswith("http://")

    @property
    def logs_as_json(self) -> bool:
        return self.log_json if self.log_json is not None else self.is_production


def reminder_steps(text: str) -> tuple[int, ...]:
    """``"7,14,30"``: days past due, each step once per invoice; rising, positive, no repeats."""
    try:
        steps = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"reminder days must be whole numbers like 7,14,30: {text!r}") from None
    if any(day < 1 for day in steps) or list(steps) != sorted(set(steps)):
        raise ValueError(f"reminder days must be positive and rising, like 7,14,30: {text!r}")
    return steps


def _usable_cpus() -> int:
    """The CPUs this process may run on (a container's cpuset), not all the host has."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
