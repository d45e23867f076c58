"""The real bot on Zalo (no buttons, no files) against the local fake Zalo Bot API server."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import docx
import httpx
import pytest

from bot.cli.main import main
from bot.tickets.saving import import_tickets
from handlers.registration import create_invite
from tests.support.clock import FakeClock
from tests.support.harness import stop_or_explain
from tests.support.ports import free_port
from tests.support.zalo_bot import OFFICE, ZaloBot, start_zalo_app, write_zalo_workspace
from tests.support.zalo_server import MAX_TEXT_LENGTH, FakeZaloServer

SECRET = "zalo-secret-0123456789"
LAN = "e4ea2cd5189df1c3a88c"  # focal point of SYT and VP
MINH = "1f0c3a77e2b94d5c8a01"
DOWNLOAD_SECRET = "download-secret-0123456789abcdef"


async def test_registration_and_a_guided_answer_by_typed_numbers_and_words(
    zalo_bot: ZaloBot,
) -> None:
    bot = zalo_bot
    welcome = await bot.register(LAN, "SYT")
    assert "Anh/chị đã được đăng ký là đầu mối báo cáo của Sở Y tế" in welcome
    assert "<b>" not in welcome
    await bot.register(LAN, "VP")
    picked = await bot.say(LAN, "/baocao")
    assert "1. Sở Y tế\n2. Văn phòng UBND tỉnh" in picked
    first = await bot.say(LAN, "1")  # the unit, by its number
    assert "Sở Y tế – Chứng thư số, kỳ 02/2022" in first and "Câu 1/5" in first
    assert first.endswith("Gõ: «Tạm dừng»")
    second = await bot.say(LAN, "259")
    assert second.startswith("✓ Đã ghi: 259 chứng thư số") and "Câu 2/5" in second
    assert second.endswith("Gõ: «Quay lại» · «Tạm dừng»")
    assert "1. " not in second.split("Gõ:")[-1]  # no numbered choice while a number is asked
    back = await bot.say(LAN, "Quay lại")
    assert "Câu 1/5" in back and "«Giữ nguyên»" in back
    assert "Câu 2/5" in await bot.say(LAN, "giữ nguyên")
    for typed in ["2.386", "472"]:
        await bot.say(LAN, typed)
    last = await bot.say(LAN, "1914")
    assert "Câu 5/5" in last and "«Bỏ qua»" in last
    summary = await bot.say(LAN, "Bỏ qua")
    assert "Tóm tắt: Chứng thư số, kỳ 02/2022" in summary
    # The questions keep their numbers; the actions are words, so 1 can only mean question 1.
    assert "\n1. cấp mới: 259" in summary and summary.endswith("Gõ: «Gửi báo cáo» · «Sửa»")
    assert "Bấm" not in summary and "1. ✅" not in summary
    fix = await bot.say(LAN, "1")
    assert "Câu 1/5" in fix and "Đang ghi: 259" in fix
    again = await bot.say(LAN, "259")
    assert "Tóm tắt: Chứng thư số" in again
    receipt = await bot.say(LAN, "gửi báo cáo")
    assert "Đã nhận báo cáo «Chứng thư số» kỳ 02/2022" in receipt
    async with bot.db.read() as r:
        obligation = await r.obligations.get("SYT", "cts", "2022-02")
        stored = await r.answers.for_obligation("SYT", "cts", "2022-02")
    assert obligation is not None and obligation.state == "submitted"
    assert {k: a.value for k, a in stored.items()} == {
        "cap_moi": "259",
        "tong": "2386",
        "to_chuc": "472",
        "ca_nhan": "1914",
    }


async def test_polling_deletes_the_webhook_first(zalo_bot: ZaloBot) -> None:
    await zalo_bot.say(MINH, "xin chào")  # answered: getUpdates was called
    called = zalo_bot.fake.methods_called()
    assert "deleteWebhook" in called
    assert called.index("deleteWebhook") < called.index("getUpdates")


async def test_pause_by_word(zalo_bot: ZaloBot) -> None:
    await zalo_bot.register(MINH, "BDT")
    assert "Câu 1/5" in await zalo_bot.say(MINH, "/baocao")
    paused = await zalo_bot.say(MINH, "tạm dừng")
    assert "Câu 1/5" not in paused and "/baocao" in paused


async def test_a_flagged_figure_is_explained_by_typing_the_word(zalo_bot: ZaloBot) -> None:
    bot = zalo_bot
    await bot.register(MINH, "BDT")
    await bot.say(MINH, "/baocao")
    for typed in ["259", "2.361", "472"]:
        await bot.say(MINH, typed)
    flagged = await bot.say(MINH, "1.914")
    assert "472 + 1.914 = 2.386, nhưng «tổng số» là 2.361" in flagged
    assert "Câu 5/5" not in flagged  # the next question waits for keep or fix
    assert flagged.endswith("Gõ: «Giữ nguyên» · «Sửa»")
    asked = await bot.say(MINH, "giữ nguyên")
    assert "giải thích ngắn" in asked
    done = await bot.say(MINH, "25 chứng thư số đã thu hồi trong tháng")
    assert "Đã ghi giải thích cho «tổng số»" in done and "Câu 5/5" in done
    async with bot.db.read() as r:
        total = await r.answers.get("BDT", "cts", "2022-02", "tong")
    assert total is not None and total.explanation == "25 chứng thư số đã thu hồi trong tháng"


async def test_a_stranger_on_zalo_is_told_to_type_the_invite_code(zalo_bot: ZaloBot) -> None:
    told = await zalo_bot.say(MINH, "xin chào")
    assert "gõ /start và mã mời" in told and "t.me" not in told


async def test_the_same_message_delivered_twice_is_handled_once(zalo_bot: ZaloBot) -> None:
    bot = zalo_bot
    async with bot.db.write() as tx:
        code = await create_invite(tx, "SYT", bot.clock(), 14)
    message_id = bot.fake.user_sends_text(MINH, f"/start {code}")
    await bot.fake.wait_for_messages(MINH, 1)
    bot.fake.deliver_twice(message_id)
    await bot.fake.wait_until_polled_empty()
    # Handled in order: a second handling would answer "code already used" before this.
    reply = await bot.say(MINH, "/baocao")
    sent = bot.fake.sent_to(MINH)
    assert len(sent) == 2, [m.text for m in sent]
    assert "Câu 1/5" in reply
    async with bot.db.read() as r:
        units = await r.focal_points.units_of("zalo", MINH)
    assert units == ["SYT"]


async def test_a_long_message_is_split_at_line_breaks(zalo_bot: ZaloBot) -> None:
    lines = [f"Dòng {n:03d}: " + "số liệu " * 10 for n in range(60)]  # ~90 characters each
    async with zalo_bot.db.write() as tx:
        await tx.outbox.enqueue("zalo", MINH, {"text": "<b>" + "\n".join(lines) + "</b>"})
    assert zalo_bot.app.delivery is not None
    zalo_bot.app.delivery.wake()
    sent = await zalo_bot.fake.wait_for_messages(MINH, 3)
    assert len(sent) == 3
    assert all(len(m.text) <= MAX_TEXT_LENGTH for m in sent)
    assert [line for m in sent for line in m.text.split("\n")] == lines


async def test_webhook_refuses_a_missing_or_wrong_secret_and_takes_the_right_one(
    tmp_path: Path, fake_zalo: FakeZaloServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_ZALO_TOKEN", fake_zalo.token)
    monkeypatch.setenv("BAOCAO_TEST_ZALO_SECRET", SECRET)
    port = free_port()
    app = await start_zalo_app(tmp_path, fake_zalo, clock, "webhook", port)
    running = ZaloBot(app, fake_zalo, clock)
    try:
        assert app.webhook is not None and "/zalo" in app.webhook.routes
        url = f"http://127.0.0.1:{app.webhook.port}/zalo"
        update = fake_zalo.make_update(MINH, "xin chào")
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=update)
            wrong = await client.post(
                url, json=update, headers={"X-Bot-Api-Secret-Token": SECRET + "x"}
            )
            assert (missing.status_code, wrong.status_code) == (403, 403)
            async with running.db.read() as r:
                assert await r.inbox.get(1) is None  # never stored
            right = await client.post(url, json=update, headers={"X-Bot-Api-Secret-Token": SECRET})
            assert right.status_code == 200
        sent = await fake_zalo.wait_for_messages(MINH, 1)
        assert "Xin chào! Đây là bot tổng hợp báo cáo tháng." in sent[0].text
        assert "getUpdates" not in fake_zalo.methods_called()
        # Registered with Zalo on start, with the secret Zalo must send back.
        assert fake_zalo.webhook == {
            "url": "https://baocao.example.invalid/zalo",
            "secret_token": SECRET,
        }
    finally:
        await stop_or_explain(running)  # type: ignore[arg-type]


async def test_a_draft_reaches_the_office_on_zalo_as_a_signed_expiring_link(
    tmp_path: Path, fake_zalo: FakeZaloServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_ZALO_TOKEN", fake_zalo.token)
    monkeypatch.setenv("BAOCAO_TEST_DOWNLOAD_SECRET", DOWNLOAD_SECRET)
    public = "https://baocao.example.invalid"
    extra = (
        f'download_url = "{public}"\n'
        'download_secret_env = "BAOCAO_TEST_DOWNLOAD_SECRET"\ndownload_days = 7\n'
    )
    app = await start_zalo_app(tmp_path, fake_zalo, clock, "polling", free_port(), extra)
    running = ZaloBot(app, fake_zalo, clock)
    try:
        await running.register(LAN, "SYT")
        await running.say(LAN, "/baocao")
        for typed in ["259", "2.386", "472", "1.914", "Bỏ qua", "1"]:
            await running.say(LAN, typed)
        assert "Đang tổng hợp" in await running.say(OFFICE, "/tonghop")
        # The draft and its review sheet, each as a link of its own.
        messages = await fake_zalo.wait_for_messages(OFFICE, 3, timeout=20)
        announced = next(m.text for m in messages if "Dự thảo báo cáo kỳ 02/2022" in m.text)
        assert any("Rà soát dự thảo kỳ 02/2022" in m.text for m in messages)
        assert "Zalo không gửi được tệp" not in announced
        found = re.search(r"https://\S+", announced)
        assert found is not None and found[0].startswith(f"{public}/files/")
        assert "(Liên kết dùng được đến 09:00 18/02/2022.)" in announced
        assert app.webhook is not None
        local = found[0].replace(public, f"http://127.0.0.1:{app.webhook.port}")
        async with httpx.AsyncClient() as client:
            got = await client.get(local)
            assert got.status_code == 200
            assert "attachment" in got.headers["content-disposition"]
            body = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
            assert "Sở Y tế" in body or "chứng thư số" in body
            path, _, query = local.partition("?")
            signature = query.split("s=")[1]
            forged = "0" if signature[0] != "0" else "1"
            refused = [
                local.replace(f"s={signature}", f"s={forged}{signature[1:]}"),  # tampered
                path,  # unsigned
                local.replace("e=", "e=9"),  # longer life, same signature
            ]
            for url in refused:
                assert (await client.get(url)).status_code == 403, url
            root = f"http://127.0.0.1:{app.webhook.port}/files/"
            for name in ["..%2Fconfig.toml", "../config.toml", "%2E%2E/baocao.sqlite3"]:
                answer = await client.get(f"{root}{name}?{query}")
                assert answer.status_code == 404 and answer.content == b""
            clock.advance(days=7, minutes=1)
            expired = await client.get(local)
            assert (expired.status_code, expired.content) == (403, b"")
    finally:
        await stop_or_explain(running)  # type: ignore[arg-type]


async def test_overdue_tickets_answered_by_typed_numbers_and_words(zalo_bot: ZaloBot) -> None:
    bot = zalo_bot
    await bot.register(MINH, "BDT")
    rows = "\n".join(
        f"Z-{n},0{n}/01/2022,1{n}/01/2022,BDT,Thư số {n},Đang xử lý" for n in (1, 2, 3)
    )
    export = f"Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n{rows}\n"
    async with bot.db.write() as tx:
        await import_tickets(
            tx,
            export.encode(),
            "phieu.csv",
            settings=bot.app.workspace.settings.tickets,
            today=date(2022, 2, 11),
            changed_by="test",
        )
    page = await bot.say(MINH, "/phananh")
    # Each numbered choice names its ticket; the list itself has no numbers to mistake for
    # them (typing "3" once meant the second ticket's "handled").
    assert "1. ✅ Z-1 đã xử lý\n2. ⏳ Z-1 đang xử lý\n3. ✅ Z-2 đã xử lý" in page
    assert not re.search(r"^\d+\. Phiếu", page, re.MULTILINE) and "<b>" not in page
    assert "Z-1" in page and "Z-3" in page
    assert "Đã ghi: phiếu Z-1 đã xử lý" in await bot.say(MINH, "1")
    assert "Phiếu Z-2 đang xử lý. Dự kiến xử lý xong ngày nào?" in await bot.say(MINH, "2")
    assert "không phải ngày hợp lệ" in await bot.say(MINH, "25")
    assert "dự kiến xong 25/02/2022" in await bot.say(MINH, "25/02/2022")
    assert "Đã bỏ qua lý do của phiếu Z-2" in await bot.say(MINH, "bỏ qua")
    done = await bot.say(MINH, "tất cả")
    assert "Đã ghi 1 phiếu vẫn đang xử lý" in done and "đơn vị đã trả lời tất cả" in done
    assert "Không còn phiếu nào chưa trả lời" in await bot.say(MINH, "tất cả")  # not "0 phiếu"
    async with bot.db.read() as view:
        answered = [await view.tickets.get(f"Z-{n}") for n in (1, 2, 3)]
    assert [t.reported_by for t in answered if t] == [f"zalo:{MINH}"] * 3


@pytest.mark.parametrize(
    ("mode", "missing"),
    [("webhook", "BAOCAO_TEST_ZALO_SECRET"), ("polling", "BAOCAO_TEST_DOWNLOAD_SECRET")],
)
def test_run_refuses_to_start_without_its_secrets(
    tmp_path: Path,
    fake_zalo: FakeZaloServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    missing: str,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_ZALO_TOKEN", fake_zalo.token)
    monkeypatch.setenv("BAOCAO_TEST_ZALO_SECRET", SECRET)
    monkeypatch.setenv("BAOCAO_TEST_DOWNLOAD_SECRET", DOWNLOAD_SECRET)
    monkeypatch.setenv(missing, "short")
    extra = (
        'download_url = "https://baocao.example.invalid"\n'
        'download_secret_env = "BAOCAO_TEST_DOWNLOAD_SECRET"\n'
    )
    config = tmp_path / "config.toml"
    write_zalo_workspace(tmp_path, fake_zalo, mode, free_port(), extra)
    assert main(["run", "--config", str(config)]) == 1
    assert f"Chưa có mã bí mật: hãy đặt biến môi trường {missing}" in capsys.readouterr().err
    assert fake_zalo.webhook is None


async def test_a_unit_name_with_angle_brackets_is_shown_whole(zalo_bot: ZaloBot) -> None:
    await zalo_bot.register(MINH, "BDT")
    await zalo_bot.register(MINH, "SYT")
    which = await zalo_bot.say(MINH, "/baocao")
    assert "1. Bưu điện tỉnh <Trà Vinh> & Co" in which  # «<Trà Vinh>» is no tag
