"""The office's configuration file (config.toml), read once into frozen, typed Settings
(bot/workspace/settings.py), one reader per section.

Reading never stops at the first mistake: every problem is collected, each naming the file
and the key, so an administrator can fix them all in one pass (bot/workspace/problems.py holds
the problems, bot/workspace/toml_reader.py the typed reading shared with the data files' readers).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.workspace.config_web import read_web
from bot.workspace.problems import ConfigError, Problem, parse_toml, read_text
from bot.workspace.settings import (
    DEFAULT_KEEP_DAYS,
    DataSettings,
    DeliverySettings,
    FileLimits,
    InviteSettings,
    OfficeSettings,
    Settings,
    StorageSettings,
    TelegramSettings,
    TicketSettings,
    ZaloSettings,
)
from bot.workspace.toml_positions import toml_positions
from bot.workspace.toml_reader import REQUIRED, TableReader, parse_clock, toml_repr
from bot.workspace.units_file import parse_date
from domain.periods import Period, ReminderStep, ReportingRegime, parse_period

CONFIG_FILE_NAME: Final = "config.toml"
CONFIG_ENV: Final = "BAOCAO_CONFIG"
MODES: Final = ("polling", "webhook")
MIN_KEEP_DAYS: Final = 2
_DEFAULT_REGIME: Final = ReportingRegime()


def load_settings(path: Path | str) -> Settings:
    """Read and check a config file; ConfigError listing every problem if it has any."""
    settings, problems = read_settings(Path(path))
    if problems or settings is None:
        raise ConfigError(problems)
    return settings


def read_settings(path: Path) -> tuple[Settings | None, list[Problem]]:
    """Settings and every problem found; Settings is None only if the file cannot be parsed.

    When there are problems the Settings hold defaults in place of the wrong values: good
    enough to go on and check the data files, never to run the bot with.
    """
    path = path.absolute()
    shown = path.name
    problems: list[Problem] = []
    source = read_text(path, shown, problems, missing="config_missing")
    raw = None if source is None else parse_toml(source, shown, problems)
    if raw is None:
        return None, problems
    base = path.parent
    positions = toml_positions(source or "")
    root = TableReader(raw, file=shown, problems=problems, positions=positions)
    settings = Settings(
        source=path,
        office=_office(root.table_reader("office")),
        regime=_regime(root.table_reader("regime")),
        storage=_storage(root.table_reader("storage"), base),
        data=_data(root.table_reader("data"), base),
        telegram=_telegram(root.table_reader("telegram")),
        zalo=_zalo(root.table_reader("zalo")),
        invites=_invites(root.table_reader("invites")),
        delivery=_delivery(root.table_reader("delivery")),
        tickets=_tickets(root.table_reader("tickets")),
        web=read_web(root.table_reader("web")),
    )
    root.finish()
    return settings, problems


def _office(r: TableReader) -> OfficeSettings:
    drafts_chat: int | None = None
    if r.has("drafts_chat"):
        drafts_chat = r.integer("drafts_chat", 0, low=-(2**63), example=-1001234567890)
    office = OfficeSettings(
        parent_body=r.text("parent_body", example="UBND TỈNH TRÀ VINH", empty=False),
        issuing_body=r.text("issuing_body", example="SỞ THÔNG TIN VÀ TRUYỀN THÔNG", empty=False),
        name=r.text("name", example="Sở Thông tin và Truyền thông", empty=False),
        short_code=r.text("short_code", example="STTTT", empty=False),
        place=r.text("place", example="Trà Vinh", empty=False),
        document_code=r.text("document_code", example="BC-STTTT-VP", empty=False),
        report_subject=r.text(
            "report_subject", example="kết quả công tác thông tin và truyền thông", empty=False
        ),
        signer_titles=r.texts("signer_titles", REQUIRED, example='["GIÁM ĐỐC"]'),
        signer_name=r.text("signer_name", example="Nguyễn Văn A", empty=False),
        recipients=r.texts("recipients", REQUIRED, example='["Như trên;", "Lưu: VT, VP."]'),
        admins=r.integers("admins", (), example="[123456789]"),
        zalo_admins=r.texts("zalo_admins", (), example='["e4ea2cd5189df1c3a88c"]'),
        drafts_chat=drafts_chat,
    )
    r.finish()
    return office


def _regime(r: TableReader) -> ReportingRegime:
    d = _DEFAULT_REGIME
    timezone = r.text("timezone", d.timezone, example=d.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("timezone", "bad_timezone", value=toml_repr(timezone), example=d.timezone)
        timezone = d.timezone
    window_start_day = r.integer(
        "window_start_day",
        d.window_start_day,
        low=1,
        high=28,
        example=15,
        range_code="day_of_month",
    )
    open_days = r.integer(
        "open_days_before_cutoff", d.open_days_before_cutoff, low=0, high=27, example=4
    )
    open_time = r.clock("open_time", d.open_time)
    deadline_day, deadline_working_days = _deadline(r)
    deadline_time = r.clock("deadline_time", d.deadline_time)
    shift = r.boolean("shift_deadline_to_working_day", d.shift_deadline_to_working_day)
    reminders = tuple(
        _reminder(step)
        for step in r.tables(
            "reminders",
            [{"days_before": s.days_before, "at": s.at} for s in d.reminders],
            example='[{ days_before = 3, at = "08:00" }]',
        )
    )
    late_every_days = r.integer("late_every_days", d.late_every_days, low=0, high=31, example=1)
    late_time = r.clock("late_time", d.late_time)
    late_max = r.integer("late_max_reminders", d.late_max_reminders, low=0, example=10)
    notice_delay = r.integer(
        "office_notice_delay_hours", d.office_notice_delay_hours, low=0, example=1
    )
    working_days_only = r.boolean(
        "reminders_on_working_days_only", d.reminders_on_working_days_only
    )
    quiet_start, quiet_end = _quiet_hours(r)
    first_period = _first_period(r)
    r.finish()
    return ReportingRegime(
        timezone=timezone,
        window_start_day=window_start_day,
        open_days_before_cutoff=open_days,
        open_time=open_time,
        deadline_day=deadline_day,
        deadline_working_days=deadline_working_days,
        deadline_time=deadline_time,
        shift_deadline_to_working_day=shift,
        reminders=reminders,
        late_every_days=late_every_days,
        late_time=late_time,
        late_max_reminders=late_max,
        office_notice_delay_hours=notice_delay,
        reminders_on_working_days_only=working_days_only,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        first_period=first_period,
    )


def _first_period(r: TableReader) -> Period | None:
    """Where collection starts, "MM/YYYY"; None (the calendar's period) when not set."""
    if not r.has("first_period"):
        return None
    typed = r.text("first_period", "", example="12/2025")
    try:
        return parse_period(typed)
    except ValueError:
        r.problem("first_period", "bad_first_period", value=toml_repr(typed), example="12/2025")
        return None


def _deadline(r: TableReader) -> tuple[int | None, int | None]:
    """Exactly one of the two deadline rules; the default rule if the file breaks that."""
    has_day, has_working = r.has("deadline_day"), r.has("deadline_working_days")
    if has_day and has_working:
        r.problem("deadline_working_days", "deadline_both")
    elif not has_day and not has_working:
        r.problem("deadline_day", "deadline_none")
    if has_working and not has_day:
        days = r.integer("deadline_working_days", REQUIRED, low=1, high=20, example=5)
        return None, days
    default = _DEFAULT_REGIME.deadline_day or 15
    day = r.integer("deadline_day", default, low=1, high=28, example=15, range_code="day_of_month")
    if has_working:  # both set: still check the other one's value
        r.integer("deadline_working_days", 5, low=1, high=20, example=5)
    return day, None


def _reminder(r: TableReader) -> ReminderStep:
    step = ReminderStep(
        days_before=r.integer("days_before", REQUIRED, low=0, high=27, example=3),
        at=r.clock("at", time(8, 0)),
    )
    r.finish()
    return step


def _quiet_hours(r: TableReader) -> tuple[time | None, time | None]:
    default = _DEFAULT_REGIME
    if not r.has("quiet_hours"):
        return default.quiet_start, default.quiet_end
    value = r.table["quiet_hours"]
    if value == []:
        return None, None
    if not isinstance(value, list) or len(value) != 2:
        r.problem("quiet_hours", "quiet_hours_shape", value=toml_repr(value))
        return default.quiet_start, default.quiet_end
    clocks = [parse_clock(v) for v in value]
    for v, clock in zip(value, clocks, strict=True):
        if clock is None:
            r.problem("quiet_hours", "bad_time", value=toml_repr(v), example='"21:00"')
    start, end = clocks
    if start is None or end is None:
        return default.quiet_start, default.quiet_end
    if start == end:
        r.problem("quiet_hours", "quiet_hours_same", value=toml_repr(value))
        return default.quiet_start, default.quiet_end
    return start, end


def _storage(r: TableReader, base: Path) -> StorageSettings:
    storage = StorageSettings(
        path=r.path("path", "baocao.sqlite3", base),
        # At least 2 days: a deleted update's id no longer counts as a repeat, and Telegram
        # redelivers an unconfirmed update for up to 24 hours.
        keep_days=r.integer("keep_days", DEFAULT_KEEP_DAYS, low=MIN_KEEP_DAYS, example=90),
    )
    # SQLite creates the file but not its folder: say so now rather than at the first start.
    if not storage.path.parent.is_dir():
        r.problem("path", "folder_missing", folder=str(storage.path.parent))
    r.finish()
    return storage


def _data(r: TableReader, base: Path) -> DataSettings:
    data = DataSettings(
        units=r.path("units", "units.csv", base), forms=r.path("forms", "forms", base)
    )
    r.finish()
    return data


def _env_name(r: TableReader, key: str, default: str) -> str:
    """The name of an environment variable: refuse what looks like a pasted secret."""
    value = r.text(key, default, example=default, empty=False)
    if value and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        r.problem(key, "bad_env_name", example=toml_repr(default))
        return default
    return value


def _telegram(r: TableReader) -> TelegramSettings:
    d = TelegramSettings()
    enabled = r.boolean("enabled", d.enabled)
    token_env = _env_name(r, "token_env", d.token_env)
    api_base_url = _url(r, "api_base_url", d.api_base_url)
    mode = r.choice("mode", d.mode, MODES)
    webhook_url = r.text("webhook_url", d.webhook_url, example="https://baocao.example.vn/telegram")
    if webhook_url and not webhook_url.startswith("https://"):
        r.problem("webhook_url", "not_https", value=toml_repr(webhook_url))
    elif enabled and mode == "webhook" and not webhook_url:
        r.problem("webhook_url", "webhook_url_missing")
    settings = TelegramSettings(
        enabled=enabled,
        token_env=token_env,
        api_base_url=api_base_url,
        mode=mode,
        webhook_url=webhook_url,
        webhook_listen=r.text("webhook_listen", d.webhook_listen, example=d.webhook_listen),
        webhook_port=r.integer("webhook_port", d.webhook_port, low=1, high=65535, example=8443),
        webhook_secret_env=_env_name(r, "webhook_secret_env", d.webhook_secret_env),
    )
    r.finish()
    return settings


def _zalo(r: TableReader) -> ZaloSettings:
    d = ZaloSettings()
    enabled = r.boolean("enabled", d.enabled)
    mode = r.choice("mode", d.mode, MODES)
    webhook_url = r.text("webhook_url", d.webhook_url, example="https://baocao.example.vn/zalo")
    if webhook_url and not webhook_url.startswith("https://"):
        r.problem("webhook_url", "zalo_not_https", value=toml_repr(webhook_url))
    elif enabled and mode == "webhook" and not webhook_url:
        r.problem("webhook_url", "zalo_webhook_url_missing")
    download_url = r.text("download_url", d.download_url, example="https://baocao.example.vn")
    if download_url and not download_url.startswith("https://"):
        r.problem("download_url", "download_not_https", value=toml_repr(download_url))
    settings = ZaloSettings(
        enabled=enabled,
        token_env=_env_name(r, "token_env", d.token_env),
        api_base_url=_url(r, "api_base_url", d.api_base_url),
        mode=mode,
        webhook_url=webhook_url,
        webhook_secret_env=_env_name(r, "webhook_secret_env", d.webhook_secret_env),
        download_url=download_url.rstrip("/"),
        download_secret_env=_env_name(r, "download_secret_env", d.download_secret_env),
        download_days=r.integer("download_days", d.download_days, low=1, high=90, example=7),
    )
    r.finish()
    return settings


def _url(r: TableReader, key: str, default: str) -> str:
    value = r.text(key, default, example=default, empty=False)
    if value and not value.startswith(("https://", "http://")):
        r.problem(key, "bad_url", value=toml_repr(value), example=toml_repr(default))
        return default
    return value


def _invites(r: TableReader) -> InviteSettings:
    d = InviteSettings()
    settings = InviteSettings(
        expire_days=r.integer("expire_days", d.expire_days, low=1, high=365, example=14),
        max_failed_per_hour=r.integer(
            "max_failed_per_hour", d.max_failed_per_hour, low=1, example=5
        ),
    )
    r.finish()
    return settings


def _delivery(r: TableReader) -> DeliverySettings:
    d = DeliverySettings()
    settings = DeliverySettings(
        per_chat_per_second=r.number("per_chat_per_second", d.per_chat_per_second, example=1),
        global_per_second=r.number("global_per_second", d.global_per_second, example=30),
        group_per_minute=r.number("group_per_minute", d.group_per_minute, example=20),
        margin_ms=r.integer("margin_ms", d.margin_ms, low=0, high=1000, example=10),
        job_attempts=r.integer("job_attempts", d.job_attempts, low=1, high=100, example=2),
    )
    r.finish()
    return settings


def _tickets(r: TableReader) -> TicketSettings:
    d = TicketSettings()
    settings = TicketSettings(
        campaign_start=_optional_day(r, "campaign_start"),
        id_columns=_names(r, "id_columns", d.id_columns),
        channel_columns=_names(r, "channel_columns", d.channel_columns),
        received_columns=_names(r, "received_columns", d.received_columns),
        due_columns=_names(r, "due_columns", d.due_columns),
        unit_columns=_names(r, "unit_columns", d.unit_columns),
        summary_columns=_names(r, "summary_columns", d.summary_columns),
        status_columns=_names(r, "status_columns", d.status_columns),
        handled_statuses=_names(r, "handled_statuses", d.handled_statuses),
        limits=_file_limits(r),
    )
    r.finish()
    return settings


def _file_limits(r: TableReader) -> FileLimits:
    """The [tickets] limits on the files the bot reads."""
    d = FileLimits()
    values = {
        key: r.integer(key, getattr(d, key), low=1, example=getattr(d, key))
        for key in FileLimits.__dataclass_fields__
    }
    return FileLimits(**values)


def _names(r: TableReader, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list of at least one name (of columns, of statuses)."""
    example = toml_repr(list(default))
    names = tuple(name for name in r.texts(key, default, example=example) if name)
    if not names:
        r.problem(key, "empty_text", example=f"{key} = {example}")
        return default
    return names


def _optional_day(r: TableReader, key: str) -> date | None:
    """A day written "dd/mm/yyyy" (or a TOML date); "" or no key for none."""
    if not r.has(key):
        return None
    value = r.table[key]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        r.wrong_type(key, value, "str", '"01/01/2022"')
        return None
    typed = value.strip()
    if not typed:
        return None
    day = parse_date(typed)
    if day is None:
        r.problem(key, "bad_date", value=typed)
    return day
