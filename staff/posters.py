"""Printable posters, one per entry: the question, a QR code that opens its answer, a note.

A5 portrait at 300 dots per inch, as PNG, so any print shop or office printer can print
them at full size without further work.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from faq.model import FAQ
from staff.links import deep_link

DPI = 300
A5_PIXELS = (1748, 2480)  # 148 x 210 mm at 300 dpi
MARGIN = 140
INK = (20, 20, 20)
ACCENT = (18, 82, 140)
NOTE = (
    "Ask this chat bot on Telegram about dystonia, in English or Hindi. It shares the "
    "clinic's general information; it is not a doctor and cannot give personal advice. "
    "It is not for emergencies: in an emergency, call 112."
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled scalable font: no font files to install on the clinic's computer.
    return ImageFont.load_default(size=size)


def _draw_wrapped(
    draw: ImageDraw.ImageDraw,
    text: str,
    top: int,
    size: int,
    width_chars: int,
    fill: tuple[int, int, int],
) -> int:
    """Draw `text` centred, wrapped; return the y below it."""
    font = _font(size)
    for line in textwrap.wrap(text, width=width_chars):
        left, _, right, _ = draw.textbbox((0, 0), line, font=font)
        draw.text(((A5_PIXELS[0] - (right - left)) // 2, top), line, font=font, fill=fill)
        top += int(size * 1.3)
    return top


def poster(clinic_name: str, question: str, link: str) -> Image.Image:
    image = Image.new("RGB", A5_PIXELS, "white")
    draw = ImageDraw.Draw(image)
    y = _draw_wrapped(draw, clinic_name, MARGIN, 70, 30, ACCENT)
    y = _draw_wrapped(draw, question, y + 90, 96, 24, INK)
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=20, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    side = min(900, A5_PIXELS[0] - 2 * MARGIN)
    code = code.resize((side, side), Image.Resampling.NEAREST)
    image.paste(code, ((A5_PIXELS[0] - side) // 2, y + 80))
    y += 80 + side + 40
    y = _draw_wrapped(draw, link, y, 44, 60, ACCENT)
    _draw_wrapped(draw, NOTE, y + 60, 46, 52, INK)
    return image


def write_posters(faq: FAQ, bot_username: str, out_dir: Path) -> list[Path]:
    """One `<entry-id>-poster.png` per entry in `out_dir`; the paths, in FAQ order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for entry in faq.entries:
        path = out_dir / f"{entry.id}-poster.png"
        image = poster(faq.clinic.name, entry.question, deep_link(bot_username, entry.id))
        image.save(path, dpi=(DPI, DPI))
        paths.append(path)
    return paths
