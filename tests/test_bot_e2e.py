"""A patient's whole conversation, end to end: real Application, fake Bot API over HTTP."""

from __future__ import annotations

from faq.loader import load_faq
from faq.matcher import Clarify, matcher_for
from tests.botharness import Harness
from tests.fakebotapi import DEFAULT_USER_ID, SentMessage

DISCLAIMER_START = "This is general information from Buddhi Clinic"


async def ask(bot: Harness, text: str, **kwargs: object) -> SentMessage:
    before = len(bot.api.sent)
    bot.api.send_text(text, **kwargs)  # type: ignore[arg-type]
    sent = await bot.api.wait_for_sent(before + 1)
    return sent[before]


async def test_start_welcomes_with_disclaimer_topic_buttons_and_registers_commands(
    bot: Harness,
) -> None:
    reply = await ask(bot, "/start")
    assert "dystonia FAQ bot" in reply.plain
    assert DISCLAIMER_START in reply.plain
    assert "t:about" in reply.callback_data
    commands = {c["command"] for c in bot.api.commands_for()}
    assert {"start", "topics", "help", "sources", "contact", "privacy", "forget"} <= commands


async def test_deep_link_opens_that_answer_directly(bot: Harness) -> None:
    reply = await ask(bot, "/start sensory-trick")
    assert reply.plain.startswith("Why does touching")
    assert "Sources" in reply.plain
    assert DISCLAIMER_START in reply.plain


async def test_deep_link_to_unknown_entry_falls_back_to_welcome(bot: Harness) -> None:
    reply = await ask(bot, "/start no-such-entry")
    assert "dystonia FAQ bot" in reply.plain


async def test_question_is_answered_with_title_references_disclaimer_and_buttons(
    bot: Harness,
) -> None:
    reply = await ask(bot, "wat is distonia")
    assert reply.parse_mode == "HTML"
    assert reply.plain.startswith("What is dystonia?")
    assert "Sources\n• Buddhi Clinic" in reply.plain
    assert reply.plain.rstrip().endswith("(112 in India).")
    assert "f:what-is-dystonia:1" in reply.callback_data
    assert any(d.startswith("a:") for d in reply.callback_data)  # see also


async def test_unsure_question_asks_and_a_press_shows_that_answer(bot: Harness) -> None:
    question = "why wont my neck stop pulling"
    decision = matcher_for(load_faq(bot.faq_file)).decide(question)
    assert isinstance(decision, Clarify)
    reply = await ask(bot, question)
    assert "Did you mean" in reply.plain
    choice = decision.candidates[0].entry
    assert f"a:{choice.id}" in reply.callback_data
    before = len(bot.api.sent)
    bot.api.press_button(reply, f"a:{choice.id}")
    answer = (await bot.api.wait_for_sent(before + 1))[before]
    assert answer.plain.startswith(choice.question)
    await bot.api.wait_for(lambda: len(bot.api.callback_answers) == 1)


async def test_urgent_message_gets_only_the_urgent_reply(bot: Harness) -> None:
    reply = await ask(bot, "what is dystonia? also I can't breathe and my throat is closing")
    assert "112" in reply.plain
    assert "14416" in reply.plain
    assert reply.reply_markup is None
    await bot.api.wait_for_sent(1)
    assert len(bot.api.sent) == 1


async def test_out_of_scope_question_gets_the_fallback_with_topics(bot: Harness) -> None:
    reply = await ask(bot, "who won the football match yesterday")
    assert "T" in reply.callback_data
    assert "clinic" in reply.plain.lower()


async def test_topics_browse_questions_answer_and_back(bot: Harness) -> None:
    menu = await ask(bot, "/topics")
    bot.api.press_button(menu, "t:about")
    await bot.api.wait_for(lambda: bot.api.sent[0].edited, description="topic menu edit")
    topic = bot.api.sent[0]
    assert "a:what-is-dystonia" in topic.callback_data
    assert "T" in topic.callback_data
    bot.api.press_button(topic, "a:what-is-dystonia")
    answer = (await bot.api.wait_for_sent(2))[1]
    assert answer.plain.startswith("What is dystonia?")
    bot.api.press_button(topic, "T")
    await bot.api.wait_for(lambda: "t:about" in bot.api.sent[0].callback_data, description="back")
    await bot.api.wait_for(lambda: len(bot.api.callback_answers) == 3)


async def test_stale_button_says_the_answer_moved_and_offers_topics(bot: Harness) -> None:
    menu = await ask(bot, "/topics")
    menu.reply_markup = {"inline_keyboard": [[{"text": "old", "callback_data": "a:retired-id"}]]}
    bot.api.press_button(menu, "a:retired-id")
    reply = (await bot.api.wait_for_sent(2))[1]
    assert "moved" in reply.plain
    assert "T" in reply.callback_data
    await bot.api.wait_for(lambda: len(bot.api.callback_answers) == 1)


async def test_feedback_press_is_acknowledged_without_a_new_message(bot: Harness) -> None:
    reply = await ask(bot, "/start stress")
    bot.api.press_button(reply, "f:stress:1")
    await bot.api.wait_for(lambda: len(bot.api.callback_answers) == 1)
    assert "feedback" in bot.api.callback_answers[0].get("text", "")
    assert len(bot.api.sent) == 1


async def test_sticker_and_photo_get_a_text_only_note(bot: Harness) -> None:
    bot.api.send_sticker()
    bot.api.send_photo()
    sent = await bot.api.wait_for_sent(2)
    assert all("only read text" in m.plain for m in sent)


async def test_markup_like_user_text_never_breaks_html(bot: Harness) -> None:
    for text in ("<b>what is dystonia</b>", "stress & dystonia", "</i> symptoms <a href=x>"):
        await ask(bot, text)
    assert not [e for e in bot.api.errors if e[0] == "sendMessage"]


async def test_4000_character_message_gets_a_reply(bot: Harness) -> None:
    reply = await ask(bot, ("my neck pulls " * 300)[:4000])
    assert reply.plain
    assert not bot.api.errors


async def test_edited_message_is_answered_like_a_new_one(bot: Harness) -> None:
    update = bot.api.send_text("hello")
    await bot.api.wait_for_sent(1)
    bot.api.edit_text(update, "does stress make it worse")
    edited_reply = (await bot.api.wait_for_sent(2))[1]
    assert edited_reply.plain.startswith("Does stress")


async def test_group_answers_only_commands_mentions_and_replies(bot: Harness) -> None:
    group = -100123
    bot.api.send_text("does stress make it worse", chat_id=group, chat_type="supergroup")
    bot.api.send_text("/help", chat_id=group, chat_type="supergroup")
    help_reply = (await bot.api.wait_for_sent(1))[0]
    assert "/topics" in help_reply.plain
    mention = await ask(
        bot, "does stress make it worse", chat_id=group, chat_type="supergroup", mention=True
    )
    assert mention.plain.startswith("Does stress")
    replied = await ask(
        bot, "what is dystonia", chat_id=group, chat_type="supergroup", reply_to_bot=True
    )
    assert replied.plain.startswith("What is dystonia?")
    bot.api.send_sticker(chat_id=group, chat_type="supergroup")
    bot.api.send_text("thanks everyone", chat_id=group, chat_type="supergroup")
    await ask(bot, "/contact", chat_id=group, chat_type="supergroup")
    assert len(bot.api.sent) == 4  # the unaddressed text and the sticker got nothing


async def test_every_reply_fits_telegram_limits(bot: Harness) -> None:
    for command in ("/start", "/help", "/topics", "/sources", "/contact", "/privacy"):
        await ask(bot, command)
    for entry in load_faq(bot.faq_file).entries:
        await ask(bot, f"/start {entry.id}")
    assert not bot.api.errors
    for message in bot.api.sent:
        assert all(len(d.encode()) <= 64 for d in message.callback_data)


async def test_private_user_is_not_identified_in_replies(bot: Harness) -> None:
    reply = await ask(bot, "/privacy")
    assert "90 days" in reply.plain
    assert "/forget" in reply.plain
    assert str(DEFAULT_USER_ID) not in reply.plain


# -- an emergency reaches the urgent reply by every route ----------------------------------


def _is_urgent(message: SentMessage) -> bool:
    return "14416" in message.plain and "112" in message.plain


async def test_an_urgent_photo_caption_gets_the_urgent_reply(bot: Harness) -> None:
    bot.api.send_photo(caption="I can't breathe")
    reply = (await bot.api.wait_for_sent(1))[0]
    assert _is_urgent(reply)


async def test_urgent_text_after_a_command_gets_the_urgent_reply(bot: Harness) -> None:
    for text in ("/sos I can't breathe", "/start I want to kill myself", "/help choking"):
        assert _is_urgent(await ask(bot, text))


async def test_an_unknown_command_with_a_question_is_answered(bot: Harness) -> None:
    reply = await ask(bot, "/question does stress make it worse")
    assert reply.plain.startswith("Does stress")


async def test_an_emergency_typed_in_pieces_is_recognised(bot: Harness) -> None:
    await ask(bot, "help I can't")
    assert _is_urgent(await ask(bot, "breathe"))


async def test_an_urgent_group_message_not_addressed_to_the_bot_is_still_answered(
    bot: Harness,
) -> None:
    group = -100777
    bot.api.send_text("my dad is choking on his food", chat_id=group, chat_type="supergroup")
    reply = (await bot.api.wait_for_sent(1))[0]
    assert _is_urgent(reply)


async def test_a_button_press_too_old_to_acknowledge_still_gets_its_answer(bot: Harness) -> None:
    menu = await ask(bot, "/start stress")
    bot.api.fail("answerCallbackQuery", status=400, description="Bad Request: query is too old")
    bot.api.press_button(menu, "a:relaxing-doesnt-help")
    answer = (await bot.api.wait_for_sent(2))[1]
    assert answer.plain.startswith("Why doesn")
