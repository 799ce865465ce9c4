"""The heavy half of media, run by the media worker off the training loop: arrays to PNG (with PIL
when it is importable, else a small built-in encoder), image headers, histogram bins, table JSON."""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import zlib
from dataclasses import dataclass

try:  # Debian's python3-pil; optional: the built-in encoder writes PNG without it
    from PIL import Image as PILImage
except ImportError:  # pragma: no cover - depends on the machine
    PILImage = None

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG modes PIL writes as they are; anything else is converted first.
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"})


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    digest: str        # SHA-256 of data, lowercase hex: the file's name in the spool and on the server
    format: str        # "png", "jpeg" or "gif"
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- image headers ---------------------------------------------------------------------------

def read_header(data: bytes):
    """(format, width, height) of a PNG, GIF or JPEG file from its first bytes, or None.

    Ingest reads the same fields the same way and refuses a frame that claims other pixels, so
    the SDK never guesses them."""
    if len(data) >= 24 and data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if len(data) >= 10 and data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return "gif", width, height
    if len(data) >= 4 and data[0] == 0xFF and data[1] == 0xD8:
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes):
    """Walks the JPEG's segments to its start-of-frame, which holds the height and width."""
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:          # fill byte
            at += 1
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        # SOF0..SOF15, leaving out DHT (C4), JPG (C8) and DAC (CC), which share the range.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return "jpeg", width, height
        if length < 2:
            return None
        at += 2 + length
    return None


# ---- arrays to pixels ------------------------------------------------------------------------

def to_uint8(array, normalize: bool = True):
    """Pixels as uint8, as wandb.Image makes them: uint8 stays as it is; other arrays with negative
    values are stretched to 0..1 first, arrays whose maximum is at most 1 are scaled by 255, and
    everything is clipped to 0..255 (NaN becomes 0)."""
    import numpy as np
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    data = array.astype(np.float32)       # enough for 0..255, and half of float64's memory on a large image
    finite = data[np.isfinite(data)]
    if normalize and finite.size:
        low, high = float(finite.min()), float(finite.max())
        if low < 0:
            data = (data - low) / (high - low) if high > low else data - low
            high = 1.0 if high > low else 0.0
        if high <= 1.0:
            data = data * 255
    data = np.nan_to_num(data, nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(data, 0, 255).astype(np.uint8)


def to_hwc(array):
    """HxW, HxWx1, HxWx3 or HxWx4 pixels from what Image accepted (CxHxW too, as tensors come)."""
    if array.ndim == 3 and array.shape[-1] not in (1, 3, 4) and array.shape[0] in (1, 3, 4):
        array = array.transpose(1, 2, 0)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[:, :, 0]
    return array


# ---- encoders --------------------------------------------------------------------------------

def encode_array(array, normalize: bool = True, file_type: str = "png") -> EncodedImage:
    """An image array as a PNG (or JPEG) file."""
    import numpy as np
    pixels = np.ascontiguousarray(to_uint8(to_hwc(array), normalize))
    if PILImage is not None:
        return encode_pil(PILImage.fromarray(pixels), file_type)
    if file_type != "png":
        raise ValueError(f"file_type={file_type!r} needs PIL (python3-pil); without it images are written as PNG.")
    return encoded(png_bytes(pixels))


def encode_pil(image, file_type: str = "png") -> EncodedImage:
    """A PIL image as a PNG (or JPEG) file."""
    out = io.BytesIO()
    if file_type == "jpeg":
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=95)
    else:
        if image.mode not in _PNG_MODES:
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, format="PNG")
    return encoded(out.getvalue())


def encoded(data: bytes) -> EncodedImage:
    header = read_header(data)
    if header is None:
        raise ValueError("the image is not a PNG, JPEG or GIF file")
    return EncodedImage(data, sha256(data), *header)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bytes(pixels) -> bytes:
    """A minimal PNG writer for uint8 HxW (gray), HxWx3 (RGB) or HxWx4 (RGBA) pixels, for machines
    without PIL: 8 bits per sample, every scanline with filter 0, one zlib stream."""
    import numpy as np
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = np.zeros((height, 1 + width * channels), dtype=np.uint8)    # column 0: each row's filter byte
    raw[:, 1:] = pixels.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)) + _chunk(b"IEND", b"")


# ---- histograms ------------------------------------------------------------------------------

def bins_of(values, num_bins: int):
    """(edges, counts) of the finite values in `num_bins` equal bins, as numpy.histogram makes them
    (a constant sequence gets the range value +- 0.5; no values, 0..1)."""
    try:
        import numpy as np
    except ImportError:
        return _bins_in_python([float(v) for v in values], num_bins)
    data = np.asarray(values, dtype=np.float64).ravel()
    counts, edges = np.histogram(data[np.isfinite(data)], bins=num_bins)
    return [float(e) for e in edges], [int(c) for c in counts]


def _bins_in_python(values: list, num_bins: int):
    finite = [v for v in values if math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if low == high:
        low, high = low - 0.5, high + 0.5
    width = (high - low) / num_bins
    edges = [low + i * width for i in range(num_bins)] + [high]
    counts = [0] * num_bins
    for v in finite:
        counts[min(int((v - low) / width), num_bins - 1)] += 1
    return edges, counts


# ---- tables ----------------------------------------------------------------------------------

def cell_json(value):
    """A table cell as the table file holds it: a JSON string, number, boolean or null (NaN and
    infinities become null: they are not JSON)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value.replace("\0", "\ufffd")        # PostgreSQL cannot hold U+0000
    return cell_json(value.item())                   # a numpy scalar


def table_file(columns, rows, image_type, image_cell) -> bytes:
    """{"columns": [...], "data": [[...], ...]} as UTF-8 JSON; `image_cell(image)` gives the object
    of a cell that is an `image_type` ({"_type": "image", "digest", ...})."""
    data = [[image_cell(c) if isinstance(c, image_type) else cell_json(c) for c in row] for row in rows]
    text = json.dumps({"columns": list(columns), "data": data}, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")
