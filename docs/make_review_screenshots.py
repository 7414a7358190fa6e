"""Pictures of the review messages for the README (docs/review-*.png).

Runs the real bot against the fake Bot API (as the end-to-end tests do), so the pictures
show exactly the HTML and buttons the bot sends; lays each message out like a phone chat
and photographs it with headless Chromium. Needs `chromium` on the PATH (on Debian or
Ubuntu: `apt-get install chromium`). From the bot's folder:

    .venv/bin/python docs/make_review_screenshots.py
"""

from __future__ import annotations

import asyncio
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.botharness import ADMIN_ID, make_settings, running_bot  # noqa: E402
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI, SentMessage  # noqa: E402

DOCS = REPO / "docs"
BACKGROUND = (220, 230, 238)
PATIENT_QUESTIONS = (
    ("is it worse in the cold weather", 3),
    ("is it worse in cold weather", 1),
    ("can i drive a car with dystonia", 2),
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=2",
)

PAGE = """<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; padding: 14px; background: rgb{background}; width: 392px;
  font: 15px/1.38 "DejaVu Sans", "Noto Sans", sans-serif; color: #111; }}
.who {{ font-size: 12px; color: #567; margin: 0 0 4px 6px; }}
.bubble {{ background: #fff; border-radius: 14px 14px 14px 4px; padding: 8px 11px;
  white-space: pre-wrap; overflow-wrap: anywhere; box-shadow: 0 1px 1px rgba(0,0,0,.12); }}
.mine {{ background: #e1ffc7; border-radius: 14px 14px 4px 14px; margin-left: 90px; }}
pre {{ margin: 0; font: 12px/1.35 "DejaVu Sans Mono", monospace; white-space: pre-wrap; }}
.keys {{ margin: 4px 0 14px; }}
.row {{ display: flex; gap: 4px; margin-top: 4px; }}
.key {{ flex: 1; background: rgba(70,100,125,.55); color: #fff; border-radius: 8px;
  padding: 8px 6px; text-align: center; font-size: 14px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.gap {{ height: 14px; }}
</style>{body}"""


def bubble(message: SentMessage) -> str:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    keys = "".join(
        '<div class="row">'
        + "".join(f'<div class="key">{html.escape(b["text"])}</div>' for b in row)
        + "</div>"
        for row in rows
    )
    # The bot's own HTML (Telegram's subset: b, i, pre), shown as Telegram shows it.
    return f'<div class="bubble">{message.text}</div><div class="keys">{keys}</div>'


def mine(text: str) -> str:
    return f'<div class="bubble mine">{html.escape(text)}</div><div class="gap"></div>'


async def collect(work: Path) -> dict[str, str]:
    """The conversation pieces to photograph, as HTML bodies, by picture name."""
    async with FakeBotAPI(FAKE_TOKEN) as api, running_bot(make_settings(api, work), api) as bot:
        user = 200000001
        for question, times in PATIENT_QUESTIONS:
            for _ in range(times):
                before = len(api.sent)
                api.send_text(question, user_id=user)
                user += 1
                await api.wait_for_sent(before + 1)
        await asyncio.sleep(0.5)  # usage records are written just after each reply
        api.add_chat(ADMIN_ID)
        api.send_text("/review", user_id=ADMIN_ID)
        await api.wait_for(lambda: len(api.sent_to(ADMIN_ID)) >= 3, timeout=10)
        heading, first, second = api.sent_to(ADMIN_ID)[:3]

        async def tap(message: SentMessage, data: str) -> SentMessage:
            count = len(api.sent_to(ADMIN_ID))
            api.press_button(message, data, user_id=ADMIN_ID)
            await api.wait_for(lambda: len(api.sent_to(ADMIN_ID)) > count, timeout=15)
            return api.sent_to(ADMIN_ID)[count]

        stress = next(b for b in first.buttons if "stress" in b["text"])
        added = await tap(first, stress["callback_data"])
        bot.faq_file.write_bytes(bot.faq_file.read_bytes() + b"\n# edited by hand\n")
        refused = await tap(second, second.callback_data[0])
    who = '<div class="who">Dystonia FAQ bot</div>'
    return {
        "review-digest": mine("/review") + who + bubble(heading) + bubble(first) + bubble(second),
        "review-added": who + bubble(added),
        "review-refused": who + bubble(refused),
    }


def photograph(body: str, target: Path, work: Path) -> None:
    page = work / f"{target.stem}.html"
    page.write_text(PAGE.format(background=BACKGROUND, body=body), encoding="utf-8")
    raw = work / f"{target.stem}-raw.png"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    subprocess.run(  # noqa: S603 - our own fixed arguments to the local browser
        [chromium, *CHROMIUM_FLAGS, f"--screenshot={raw}", "--window-size=420,1400", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with Image.open(raw) as shot:
        image = shot.convert("RGB")
    # Crop the empty background below the last message, keep the side margins.
    box = ImageChops.difference(image, Image.new("RGB", image.size, BACKGROUND)).getbbox()
    if box is not None:
        image = image.crop((0, 0, image.width, min(image.height, box[3] + 28)))
    image.quantize(colors=64).save(target, optimize=True)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bodies = asyncio.run(collect(work))
        for name, body in bodies.items():
            target = DOCS / f"{name}.png"
            photograph(body, target, work)
            print(f"wrote {target.relative_to(REPO)} ({target.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
