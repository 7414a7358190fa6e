"""The conversation a patient has with the bot, whatever they type it into.

Front ends (Telegram, the console) turn what arrives into a Turn or a Press and show the
Outcome or ButtonResult that comes back; everything a patient's words go through (the
urgent screen, commands, buttons, flood control, group rules, what is recorded) is here.
Imports point one way: front ends -> conversation -> faq (the domain).
"""
