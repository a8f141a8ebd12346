"""The weekly sales chart the owner gets with ``/report week``: a PNG bar chart (Pillow)."""

from __future__ import annotations

import io

from telewire.apps.store.money import format_amount


def week_chart(days: list[tuple[str, int]], title: str = "Sales, last 7 days") -> bytes:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise RuntimeError("charts need Pillow: pip install 'telewire[store]'") from None
    width, height, margin = 640, 360, 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    draw.text((margin, 12), title, fill="black", font=font)
    top = max((total for _, total in days), default=0) or 1
    slot = (width - 2 * margin) / max(len(days), 1)
    base = height - margin
    for i, (day, total) in enumerate(days):
        left = margin + i * slot + slot * 0.15
        bar = (base - 50) * total / top
        draw.rectangle([left, base - bar, left + slot * 0.7, base], fill="#3390ec")
        draw.text((left, base + 6), day[5:], fill="black", font=font)
        draw.text((left, base - bar - 14), format_amount(total), fill="black", font=font)
    draw.line([margin, base, width - margin, base], fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
