"""The Telegram side of the dystonia FAQ bot."""

import os

# python-telegram-bot 22 warns on every time-period attribute (such as RetryAfter's
# retry_after) unless told to use datetime.timedelta; opting in keeps logs clean and the
# behaviour future-proof.
os.environ.setdefault("PTB_TIMEDELTA", "true")
