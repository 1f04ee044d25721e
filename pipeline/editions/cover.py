"""A plain typographic cover, drawn with Pillow in the house text face."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from ..project import house_styles

WIDTH, HEIGHT = 1600, 2400
MARGIN = 160
PAPER = (245, 240, 230)
INK = (34, 34, 40)
ACCENT = (140, 38, 38)


def draw_cover(title: str, subtitle: str | None, author: str, date: str) -> bytes:
    """A PNG cover: title, subtitle, a rule, author and date."""
    fonts = house_styles() / "fonts"
    bold = fonts / "CharisSIL-Bold.ttf"
    italic = fonts / "CharisSIL-Italic.ttf"
    regular = fonts / "CharisSIL-Regular.ttf"
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([MARGIN // 2, MARGIN // 2, WIDTH - MARGIN // 2, HEIGHT - MARGIN // 2], outline=INK, width=6)

    size = 150
    while True:
        title_font = ImageFont.truetype(str(bold), size)
        lines = _wrap(draw, title, title_font, WIDTH - 2 * MARGIN)
        if len(lines) <= 5 or size <= 70:
            break
        size -= 10
    y = 520
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += int(size * 1.18)
    if subtitle:
        sub_font = ImageFont.truetype(str(italic), 70)
        y += 30
        for line in _wrap(draw, subtitle, sub_font, WIDTH - 2 * MARGIN):
            draw.text((MARGIN, y), line, font=sub_font, fill=INK)
            y += 90
    y += 60
    draw.rectangle([MARGIN, y, MARGIN + 360, y + 10], fill=ACCENT)
    small = ImageFont.truetype(str(regular), 64)
    bottom = HEIGHT - MARGIN - 80
    if author:
        draw.text((MARGIN, bottom - 110), author, font=small, fill=INK)
    draw.text((MARGIN, bottom), date, font=ImageFont.truetype(str(italic), 56), fill=INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines
