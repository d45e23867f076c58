"""What the office's config.toml says, as frozen, typed Settings: one type per section.

bot/workspace/config.py reads and checks the file into them; the defaults here are the
defaults of the file's keys (config.example.toml shows every one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from domain.periods import ReportingRegime

# Days a record of traffic is kept when config.toml does not say (see StorageSettings).
DEFAULT_KEEP_DAYS: Final = 90


@dataclass(frozen=True, slots=True)
class OfficeSettings:
    """Who the office is, as printed on the report and used in chat sentences."""

    parent_body: str
    issuing_body: str
    name: str
    short_code: str
    place: str
    document_code: str
    report_subject: str
    signer_titles: tuple[str, ...]
    signer_name: str
    recipients: tuple[str, ...]
    admins: tuple[int, ...] = ()
    zalo_admins: tuple[str, ...] = ()
    drafts_chat: int | None = None


@dataclass(frozen=True, slots=True)
class StorageSettings:
    """Where the bot keeps its data, and how long it keeps what is only a record of traffic."""

    path: Path
    # Handled updates and settled outgoing messages older than this are deleted once a day.
    keep_days: int = DEFAULT_KEEP_DAYS


@dataclass(frozen=True, slots=True)
class DataSettings:
    """Where the office's units list and form definitions are."""

    units: Path
    forms: Path


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """The Telegram channel. The token is read from the environment variable `token_env`."""

    enabled: bool = True
    token_env: str = "BAOCAO_TELEGRAM_TOKEN"
    api_base_url: str = "https://api.telegram.org/bot"
    mode: str = "polling"  # "polling" | "webhook"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"  # behind nginx; docs/operations.md
    webhook_port: int = 8443
    webhook_secret_env: str = "BAOCAO_TELEGRAM_WEBHOOK_SECRET"


@dataclass(frozen=True, slots=True)
class ZaloSettings:
    """The Zalo bot channel. The token is read from the environment variable `token_env`."""

    enabled: bool = False
    token_env: str = "BAOCAO_ZALO_TOKEN"
    api_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    mode: str = "polling"  # "polling" | "webhook"
    webhook_url: str = ""
    webhook_secret_env: str = "BAOCAO_ZALO_WEBHOOK_SECRET"
    # Files (drafts, exports) reach Zalo users as signed, expiring links served by the bot's
    # own HTTP server at this public https address; "" sends a note instead of a link.
    download_url: str = ""
    download_secret_env: str = "BAOCAO_DOWNLOAD_SECRET"
    download_days: int = 7


@dataclass(frozen=True, slots=True)
class InviteSettings:
    """Invitations that link a chat account to a unit."""

    expire_days: int = 14
    max_failed_per_hour: int = 5


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """Sending limits, below what the chat platforms tolerate."""

    per_chat_per_second: float = 1.0
    global_per_second: float = 30.0
    group_per_minute: float = 20.0
    # Added to each message's second (bot/runtime/ratelimit.py): the platform's own clock
    # and handling are not exact.
    margin_ms: int = 10
    # Runs of one job (a ticket import, the draft, the export) cut short by a crash before
    # it is set aside instead of run again at every restart.
    job_attempts: int = 2


@dataclass(frozen=True, slots=True)
class FileLimits:
    """How large an export the bot reads; a larger one is refused, naming the limit.

    The defaults hold the largest real export (100,000 tickets) with room to spare, and keep
    the bot under 300 MB while it reads any file within them (bench/ticket_files.py).
    """

    max_file_mb: int = 20  # the file as sent (Telegram hands bots files of up to 20 MB)
    max_unpacked_mb: int = 100  # an .xlsx's parts once unpacked, all together
    max_ratio: int = 100  # how many times a part may grow when unpacked
    max_rows: int = 100_000  # rows with data under the header
    max_shared_strings: int = 400_000  # distinct texts of an .xlsx
    max_line_kb: int = 1024  # one line of a CSV file


@dataclass(frozen=True, slots=True)
class TicketSettings:
    """Citizen-feedback tickets: how the feedback system's export names its columns and
    statuses, and when the campaign started (for the figures "since the start").

    Each *_columns lists the headers a column may have; the first one found is used.
    """

    campaign_start: date | None = None
    id_columns: tuple[str, ...] = ("Mã phiếu", "Số phiếu")
    channel_columns: tuple[str, ...] = ("Kênh tiếp nhận", "Nguồn tiếp nhận")
    received_columns: tuple[str, ...] = ("Ngày tiếp nhận", "Thời gian tiếp nhận")
    due_columns: tuple[str, ...] = ("Hạn xử lý", "Hạn giải quyết")
    unit_columns: tuple[str, ...] = ("Đơn vị xử lý", "Đơn vị chủ trì")
    summary_columns: tuple[str, ...] = ("Nội dung", "Tóm tắt")
    status_columns: tuple[str, ...] = ("Trạng thái", "Tình trạng")
    handled_statuses: tuple[str, ...] = ("Đã xử lý", "Hoàn thành", "Đã giải quyết")
    limits: FileLimits = FileLimits()


@dataclass(frozen=True, slots=True)
class WebSettings:
    """The office's dashboard (`/web/` on the bot's HTTP server, or `baocao web`)."""

    # Where the office opens it from outside, scheme and host ("https://baocao.so.vn"), for
    # the links of /web in chat; "" derives it from the webhook or download address.
    public_url: str = ""
    # How long a login lasts: a working day, with a margin.
    session_hours: int = 10


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything config.toml says, checked and typed."""

    source: Path  # the config file itself; relative paths in it are taken from its folder
    office: OfficeSettings
    regime: ReportingRegime
    storage: StorageSettings
    data: DataSettings
    telegram: TelegramSettings
    zalo: ZaloSettings
    invites: InviteSettings
    delivery: DeliverySettings
    tickets: TicketSettings = TicketSettings()
    web: WebSettings = WebSettings()
