"""Render the PNG, .ico and .icns icons in resources/ from their SVG sources.

    .venv/bin/python tools/make_icons.py

The SVGs are the sources; everything this writes is committed, so builds need no renderer.
Qt's own SVG renderer draws them (offscreen); the .ico and .icns containers are written here,
each holding PNG images (Windows Vista and later, macOS 10.7 and later read those).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
APP_SVG = RESOURCES / "clockwork-desktop.svg"
APP_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The .icns types that hold PNG data, with the pixel size of each.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"ic11", 32),  # 16 @2x
    (b"icp5", 32),
    (b"ic12", 64),  # 32 @2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128 @2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256 @2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512 @2x
)
TRAY_SIZES = (22, 44)  # the usual panel size, and the same at 2x


def render(svg: Path, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """An ICONDIR with one PNG entry per size (a width or height of 256 is written as 0)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    body = b"".join(
        kind + struct.pack(">I", 8 + len(images[size])) + images[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication(sys.argv[:1])
    sizes = sorted({*APP_SIZES, *ICO_SIZES, *(s for _k, s in ICNS_TYPES)})
    app = {size: render(APP_SVG, size) for size in sizes}
    for size in APP_SIZES:
        target = RESOURCES / "hicolor" / f"{size}x{size}" / "apps" / "clockwork-desktop.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(app[size])
    (RESOURCES / "clockwork-desktop.ico").write_bytes(ico({s: app[s] for s in ICO_SIZES}))
    (RESOURCES / "clockwork-desktop.icns").write_bytes(icns(app))
    for svg in sorted((RESOURCES / "icons").glob("*.svg")):
        for size in TRAY_SIZES:
            target = RESOURCES / "icons" / "png" / f"{svg.stem}-{size}.png"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(render(svg, size))
    print(f"wrote the icons in {RESOURCES}")


if __name__ == "__main__":
    main()
