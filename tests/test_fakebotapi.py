"""The fake Bot API must behave like Telegram as seen through the real python-telegram-bot stack.

Every test talks HTTP through ``telegram.Bot`` (HTTPXRequest), never to the fake's internals,
except to inject updates/faults and read recordings.
"""

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakebotapi import (
    BOT_ID,
    BOT_USERNAME,
    DEFAULT_USER_ID,
    FAKE_TOKEN,
    FakeBotAPI,
    parse_message_text,
)

CHAT = DEFAULT_USER_ID


@pytest.fixture
async def bot(fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    fake_api.add_chat(CHAT)
    async with Bot(
        FAKE_TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url
    ) as bot:
        yield bot


def keyboard(*callback_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"Option {i}", callback_data=d)]
            for i, d in enumerate(callback_data)
        ]
    )


# ------------------------------------------------------------------------------ sendMessage


async def test_send_message_returns_a_message_from_the_bot_and_is_recorded(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    message = await bot.send_message(CHAT, "Hello")

    assert message.text == "Hello"
    assert message.chat.id == CHAT
    assert message.from_user is not None
    assert message.from_user.id == BOT_ID
    assert message.from_user.username == BOT_USERNAME
    [record] = fake_api.sent
    assert (record.chat_id, record.message_id, record.text, record.plain) == (
        CHAT,
        message.message_id,
        "Hello",
        "Hello",
    )
    assert record.reply_markup is None
    assert not record.edited
    assert ("sendMessage", {"chat_id": CHAT, "text": "Hello"}) in fake_api.requests
    assert fake_api.delivered["sendMessage"] == fake_api.attempts["sendMessage"] == 1


async def test_get_me_describes_the_test_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        BOT_ID,
        BOT_USERNAME,
        "Dystonia FAQ",
        True,
    )


async def test_text_of_4097_characters_is_rejected_as_too_long(bot: Bot) -> None:
    # PTB strips "Bad Request: " and capitalises the rest, so match case-insensitively.
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)


async def test_text_of_exactly_4096_characters_is_accepted(bot: Bot) -> None:
    message = await bot.send_message(CHAT, "x" * 4096)
    assert len(message.text or "") == 4096


async def test_length_is_counted_in_utf16_code_units_not_code_points(bot: Bot) -> None:
    # Each of these emoji is one Python character but two UTF-16 code units.
    await bot.send_message(CHAT, "😀" * 2048)  # 4096 units: fits
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(CHAT, "😀" * 2049)  # 2049 characters, 4098 units


async def test_length_limit_applies_after_html_parsing(bot: Bot, fake_api: FakeBotAPI) -> None:
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(fake_api.last_sent.plain) == 4096


@pytest.mark.parametrize("text", ["", "   \n "])
async def test_empty_or_whitespace_text_is_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, text)


async def test_sending_to_an_unknown_chat_is_chat_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hi")


async def test_sending_to_a_user_who_blocked_the_bot_is_forbidden(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    fake_api.block(CHAT)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(CHAT, "hi")


# ----------------------------------------------------------------------------------- HTML


async def test_html_bold_is_accepted_and_plain_text_recorded(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    message = await bot.send_message(CHAT, "<b>x</b>", parse_mode=ParseMode.HTML)

    assert fake_api.last_sent.plain == "x"
    assert fake_api.last_sent.text == "<b>x</b>"
    assert message.text == "x"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 1)]


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("a > b", "a > b"),
        ("&lt;&gt;&amp;&quot;&#65;&#x42;", '<>&"AB'),
        ("<strong>s</strong> <em>e</em> <ins>u</ins> <del>d</del> <strike>k</strike>", "s e u d k"),
        ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link"),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
        ("<blockquote expandable>q</blockquote><blockquote>r</blockquote>", "qr"),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<B>upper-case tags</B>", "upper-case tags"),
        ("<b>bold <i>nested</i></b>", "bold nested"),
    ],
)
async def test_valid_telegram_html_is_accepted(
    bot: Bot, fake_api: FakeBotAPI, html: str, plain: str
) -> None:
    await bot.send_message(CHAT, html, parse_mode=ParseMode.HTML)
    assert fake_api.last_sent.plain == plain


def test_pre_with_code_language_becomes_one_pre_entity() -> None:
    parsed = parse_message_text('<pre><code class="language-python">x = 1</code></pre>', "HTML")
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


def test_entity_offsets_are_utf16_and_shifted_by_trimming() -> None:
    parsed = parse_message_text("  😀 <b>bold</b>", "HTML")
    assert parsed.plain == "😀 bold"
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 4}]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("&nbsp;", "unsupported html entity"),
        ("Q&A", 'unescaped "&"'),
        ("<b>unclosed", 'can\'t find end tag corresponding to start tag "b"'),
        ("<script>alert(1)</script>", 'unsupported start tag "script"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "unexpected end tag"),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<b", "unclosed start tag"),
        ("<br/>", 'unsupported start tag "br/"'),
    ],
)
async def test_invalid_html_is_rejected_as_unparsable_entities(
    bot: Bot, fake_api: FakeBotAPI, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
        await bot.send_message(CHAT, html, parse_mode=ParseMode.HTML)
    assert reason in caught.value.message.lower()
    assert fake_api.sent == []


async def test_markdown_v2_requires_reserved_characters_to_be_escaped(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)character '.' is reserved"):
        await bot.send_message(CHAT, "Version 1.2", parse_mode=ParseMode.MARKDOWN_V2)
    await bot.send_message(CHAT, r"*Version* 1\.2", parse_mode=ParseMode.MARKDOWN_V2)
    assert fake_api.last_sent.plain == "Version 1.2"


async def test_markdown_v2_unclosed_entity_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't find end of bold entity at byte offset 0"):
        await bot.send_message(CHAT, "*bold", parse_mode=ParseMode.MARKDOWN_V2)


async def test_unknown_parse_mode_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await bot.send_message(CHAT, "x", parse_mode="BBCode")


# ---------------------------------------------------------------------------- reply_markup


async def test_callback_data_of_64_bytes_is_accepted(bot: Bot, fake_api: FakeBotAPI) -> None:
    data = "é" * 32  # 32 characters, 64 bytes of UTF-8
    await bot.send_message(CHAT, "Pick", reply_markup=keyboard(data))
    assert fake_api.last_sent.callback_data == [data]


async def test_callback_data_of_65_bytes_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(CHAT, "Pick", reply_markup=keyboard("é" * 32 + "a"))


async def test_inline_button_without_action_is_rejected_also_for_json_bodies(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    # PTB cannot even build such a button, so post a raw JSON body like other clients do.
    markup = {"inline_keyboard": [[{"text": "a"}]]}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{fake_api.base_url}{FAKE_TOKEN}/sendMessage",
            json={"chat_id": CHAT, "text": "x", "reply_markup": markup},
        )
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard",
    }


async def test_more_than_8_buttons_in_a_row_are_rejected(bot: Bot) -> None:
    row = [InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(9)]
    with pytest.raises(BadRequest):
        await bot.send_message(CHAT, "x", reply_markup=InlineKeyboardMarkup([row]))


async def test_more_than_100_buttons_are_rejected(bot: Bot) -> None:
    rows = [
        [InlineKeyboardButton(str(i), callback_data=f"{r}-{i}") for i in range(8)]
        for r in range(13)
    ]
    with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
        await bot.send_message(CHAT, "x", reply_markup=InlineKeyboardMarkup(rows))


async def test_url_button_must_have_a_web_url(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("site", url="javascript:alert(1)")]])
    with pytest.raises(BadRequest, match=r"(?i)url"):
        await bot.send_message(CHAT, "x", reply_markup=markup)


# ---------------------------------------------------------------------------- edits & callbacks


async def test_editing_an_unknown_message_is_message_to_edit_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("new", chat_id=CHAT, message_id=999)


async def test_editing_to_the_same_text_and_markup_is_not_modified(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    sent = await bot.send_message(
        CHAT, "<b>same</b>", parse_mode="HTML", reply_markup=keyboard("a")
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await sent.edit_text("<b>same</b>", parse_mode="HTML", reply_markup=keyboard("a"))

    await sent.edit_text("same", reply_markup=keyboard("a"))  # entities differ: modified
    record = fake_api.last_sent
    assert record.edited
    assert record.previous_texts == ["<b>same</b>"]


async def test_editing_without_reply_markup_removes_the_keyboard(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    sent = await bot.send_message(CHAT, "Pick", reply_markup=keyboard("a"))
    edited = await sent.edit_text("Picked")
    assert isinstance(edited, type(sent))
    assert edited.reply_markup is None
    assert fake_api.last_sent.reply_markup is None


async def test_pressing_a_button_delivers_a_callback_query_that_can_be_answered_once(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    sent = await bot.send_message(CHAT, "Pick", reply_markup=keyboard("yes", "no"))
    fake_api.press_button(sent.message_id, "no")

    [update] = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query is not None
    assert query.data == "no"
    assert query.message is not None
    assert query.message.message_id == sent.message_id

    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await query.answer("x" * 201)
    assert await query.answer("Noted")
    assert fake_api.callback_answers[-1]["text"] == "Noted"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("again")


async def test_pressing_a_button_the_message_does_not_have_fails_the_test(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    sent = await bot.send_message(CHAT, "Pick", reply_markup=keyboard("yes"))
    with pytest.raises(AssertionError, match="no button"):
        fake_api.press_button(sent.message_id, "maybe")


async def test_deleted_message_cannot_be_deleted_again(bot: Bot, fake_api: FakeBotAPI) -> None:
    sent = await bot.send_message(CHAT, "bye")
    assert await sent.delete()
    assert fake_api.last_sent.deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await sent.delete()


async def test_commands_are_stored_per_scope_and_language(bot: Bot, fake_api: FakeBotAPI) -> None:
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    await bot.set_my_commands([("start", "Start")], language_code="hi")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert fake_api.commands_for(language_code="hi") == [
        {"command": "start", "description": "Start"}
    ]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start", "upper case is not allowed")])


async def test_chat_action_must_be_a_known_action(bot: Bot, fake_api: FakeBotAPI) -> None:
    await bot.send_chat_action(CHAT, "typing")
    assert fake_api.chat_actions == [(CHAT, "typing")]
    with pytest.raises(BadRequest):
        await bot.send_chat_action(CHAT, "dancing")


# ------------------------------------------------------------------------------- faults


async def test_429_surfaces_as_retry_after_with_the_servers_delay(
    bot: Bot, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, merely constructing RetryAfter emits a PTBDeprecationWarning,
    # which this project's "warnings are errors" setting turns into the raised exception.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_api.fail("sendMessage", 429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "hi")

    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(CHAT, "hi")  # the fault was used up
    assert (fake_api.attempts["sendMessage"], fake_api.delivered["sendMessage"]) == (2, 1)


async def test_502_html_page_surfaces_as_network_error(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail("sendMessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway") as caught:
        await bot.send_message(CHAT, "hi")
    assert type(caught.value) is NetworkError
    assert fake_api.sent == []


async def test_500_json_error_surfaces_as_network_error(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail("sendMessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(CHAT, "hi")
    await bot.send_message(CHAT, "hi")
    assert len(fake_api.sent) == 1


async def test_faults_for_one_method_are_applied_in_order(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail("sendMessage", 500)
    fake_api.fail("sendMessage", 403, description="Forbidden: bot was kicked from the group chat")
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "1")
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_message(CHAT, "2")
    assert fake_api.faults_left("sendMessage") == 0


async def test_dropped_connection_surfaces_as_network_error_and_nothing_is_sent(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    fake_api.drop("sendMessage")
    with pytest.raises(NetworkError, match="disconnected"):
        await bot.send_message(CHAT, "hi")
    assert (fake_api.attempts["sendMessage"], fake_api.delivered["sendMessage"]) == (1, 0)


async def test_connection_dropped_after_processing_still_delivers_the_message(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    fake_api.drop("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "hi")
    assert [m.plain for m in fake_api.sent] == ["hi"]
    assert fake_api.delivered["sendMessage"] == 1


async def test_delay_longer_than_read_timeout_times_out_but_is_processed_like_telegram(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    fake_api.delay("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "slow", read_timeout=0.1)
    await fake_api.wait_for_sent(1, timeout=2)
    assert fake_api.sent[0].plain == "slow"


async def test_injected_conflict_surfaces_as_conflict(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.conflict()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await bot.get_updates()


async def test_wrong_token_is_rejected_as_invalid_token(fake_api: FakeBotAPI) -> None:
    bot = Bot("123456789:wrong-token", base_url=fake_api.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await bot.initialize()
    await bot.shutdown()
    assert fake_api.unauthorized_requests == 1
    assert fake_api.requests == []


async def test_unknown_method_is_not_found(bot: Bot, fake_api: FakeBotAPI) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", {"chat_id": CHAT})
    fake_api.stub("setMyDescription")
    assert await bot.set_my_description("A FAQ bot")


async def test_methods_are_case_insensitive(bot: Bot) -> None:
    result = await bot.do_api_request("GETME")
    assert result["username"] == BOT_USERNAME


async def test_log_out_makes_later_calls_unauthorized(bot: Bot, fake_api: FakeBotAPI) -> None:
    assert await bot.log_out()
    with pytest.raises(InvalidToken):
        await bot.get_me()


# ------------------------------------------------------------------------------- getUpdates


async def test_get_updates_long_polls_until_an_update_is_injected(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await fake_api.wait_for_requests("getUpdates")
    await asyncio.sleep(0.2)
    assert not poll.done(), "getUpdates returned although nothing was queued"

    injected = fake_api.send_text("Is botox safe?", first_name="Ravi")
    updates = await asyncio.wait_for(poll, timeout=2)

    assert [u.update_id for u in updates] == [injected["update_id"]]
    message = updates[0].message
    assert message is not None
    assert message.text == "Is botox safe?"
    assert message.from_user is not None
    assert message.from_user.first_name == "Ravi"


async def test_get_updates_returns_empty_after_its_timeout(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= loop.time() - started < 3


async def test_get_updates_honours_offset_and_limit(bot: Bot, fake_api: FakeBotAPI) -> None:
    first = fake_api.send_text("one")
    second = fake_api.send_text("two")

    assert [u.update_id for u in await bot.get_updates(limit=1)] == [first["update_id"]]
    both = await bot.get_updates()
    assert [u.update_id for u in both] == [first["update_id"], second["update_id"]]

    # offset confirms everything before it: those updates are gone for good.
    rest = await bot.get_updates(offset=second["update_id"])
    assert [u.update_id for u in rest] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()
    assert await bot.get_updates() == ()
    assert fake_api.pending_updates == []


async def test_a_second_bot_instance_polling_terminates_the_first_with_conflict(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    # One Bot cannot even have two polls in flight: PTB's getUpdates pool has one connection.
    older = asyncio.create_task(bot.get_updates(timeout=10))
    await fake_api.wait_for_requests("getUpdates")
    async with Bot(FAKE_TOKEN, base_url=fake_api.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="only one bot instance"):
        await asyncio.wait_for(older, timeout=2)


async def test_get_updates_conflicts_with_an_active_webhook(bot: Bot, fake_api: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://example.org/hook")
    await bot.set_webhook("https://example.org/hook")
    assert fake_api.webhook["url"] == "https://example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()

    fake_api.send_text("kept")
    assert await bot.delete_webhook()
    assert fake_api.delete_webhook_calls == [{"drop_pending_updates": False}]
    assert len(await bot.get_updates()) == 1


async def test_updates_outside_allowed_updates_are_never_delivered(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    sent = await bot.send_message(CHAT, "Pick", reply_markup=keyboard("a"))
    fake_api.press_button(sent, "a")
    fake_api.send_text("hello")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert [list(u) for u in fake_api.filtered_updates] == [["callback_query", "update_id"]]


async def test_injected_updates_deserialise_in_ptb(bot: Bot, fake_api: FakeBotAPI) -> None:
    sent = await bot.send_message(CHAT, "Pick", reply_markup=keyboard("a"))
    text = fake_api.send_text("/start@dystonia_faq_test_bot", chat_type="supergroup", mention=True)
    fake_api.send_text("hi", mention=True, chat_type="group")
    fake_api.send_text("thanks", reply_to_bot=True)
    fake_api.send_sticker()
    fake_api.send_photo(caption="my scan")
    fake_api.send_voice(duration=4)
    fake_api.send_document(file_name="mri.pdf")
    fake_api.edit_text(text, "/help")
    fake_api.press_button(sent, "a")

    updates = await bot.get_updates()

    kinds = [next(k for k in u.to_dict() if k != "update_id") for u in updates]
    assert kinds == [*["message"] * 7, "edited_message", "callback_query"]
    command, mention, reply = (u.message for u in updates[:3])
    assert command is not None
    assert command.chat.type == "supergroup"
    assert command.chat.id < 0
    assert [e.type for e in command.entities] == ["bot_command"]
    assert mention is not None
    assert mention.text == f"@{BOT_USERNAME} hi"
    assert mention.parse_entities() != {}
    assert reply is not None
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == sent.message_id
    assert all(isinstance(u, Update) for u in updates)


# --------------------------------------------------------------------------- whole stack


async def test_application_polls_replies_and_handles_buttons_end_to_end(
    fake_api: FakeBotAPI,
) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            "<b>Welcome</b> &amp; hello", reply_markup=keyboard("faq")
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("You chose FAQ")

    app = (
        ApplicationBuilder()
        .token(FAKE_TOKEN)
        .base_url(fake_api.base_url)
        .base_file_url(fake_api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5)
        fake_api.send_text("/start")
        [welcome] = await fake_api.wait_for_sent(1)
        fake_api.press_button(welcome, "faq")
        await fake_api.wait_for(lambda: fake_api.last_sent.edited, description="the edit")
        await app.updater.stop()
        await app.stop()

    assert welcome.plain == "You chose FAQ"
    assert welcome.previous_texts == ["<b>Welcome</b> &amp; hello"]
    assert len(fake_api.callback_answers) == 1
    assert fake_api.delete_webhook_calls == [{"drop_pending_updates": False}]
    assert fake_api.pending_updates == [], "PTB confirms fetched updates when it stops"
    assert fake_api.errors == []
