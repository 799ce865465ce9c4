"""Images, tables and histograms, as wandb.Image, wandb.Table and wandb.Histogram.

Building one copies what it needs (so a buffer reused for the next batch does not change what was
logged) and does nothing heavy: PNG encoding, table JSON and histogram binning wait for the media
worker (_media_worker.py), off the training loop. `capture()` is what log() does with a value: it
checks the limits Ingest enforces (docs/media.md), so a value that would be refused is skipped with
a warning naming its key, and takes a snapshot of it for the worker.
"""

from __future__ import annotations

import io
import numbers
import os
import threading
from dataclasses import dataclass

from . import _media_encode as encode
from ._values import bad_key

# Ingest's limits (docs/media.md); a frame breaking one is refused, so the SDK skips such values.
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_IMAGE_BYTES = 16 << 20
MAX_IMAGES_PER_VALUE = 256
MAX_TABLE_ROWS = 10_000
MAX_TABLE_COLUMNS = 256
MAX_TABLE_BYTES = 32 << 20
MAX_HISTOGRAM_BINS = 512
MAX_BYTES_PER_RUN = 10 << 30
_MAX_CAPTION = 64 * 1024          # UTF-16 code units, as Ingest counts them


def _numpy(what: str):
    try:
        import numpy
    except ImportError:
        raise TypeError(f"{what} needs numpy (apt-get install python3-numpy).") from None
    return numpy


def _caption(caption):
    if caption is None:
        return None
    text = str(caption).replace("\0", "\ufffd")          # PostgreSQL cannot hold U+0000
    while len(text.encode("utf-16-le")) > 2 * _MAX_CAPTION:
        text = text[:len(text) * 3 // 4]
    return text


def _is_pil(value) -> bool:
    # Without importing PIL: a PIL image's class lives in a PIL module and can save itself.
    return type(value).__module__.startswith("PIL.") and hasattr(value, "save") and hasattr(value, "size")


class Image:
    """An image to log: ``runstream.Image(array_or_PIL_or_path, caption="label 3")``.

    Arrays are HxW, HxWx1, HxWx3 or HxWx4 (CxHxW too): uint8 as it is; other types as wandb does
    (floats in [0, 1] scaled to 0..255, negative values stretched first, the rest clipped). They
    are written as PNG (`file_type="jpeg"` for JPEG, with PIL). A path names a PNG, JPEG or GIF
    file, logged byte for byte (other formats PIL reads are converted to PNG). `mode` is a PIL mode
    the image is converted to before encoding (with PIL); `normalize=False` only clips.
    """

    def __init__(self, data_or_path, mode=None, caption=None, file_type=None, normalize=True):
        self.caption = _caption(caption)
        self._mode = mode
        self._normalize = bool(normalize)
        self._file_type = {None: "png", "png": "png", "jpg": "jpeg", "jpeg": "jpeg"}.get(
            file_type.lower() if isinstance(file_type, str) else file_type)
        if self._file_type is None:
            raise ValueError(f"file_type={file_type!r}: use 'png' or 'jpeg'.")
        self._array = self._pil = self._file = None
        self._encoded = None              # the worker's result, kept: an image logged twice is encoded once
        self._lock = threading.Lock()     # two runs' workers may encode the same image
        self.format = self._file_type
        source = data_or_path
        if isinstance(source, Image):
            with source._lock:            # not halfway through its encoding
                self._array, self._pil, self._file, self._encoded = source._array, source._pil, source._file, source._encoded
            self._mode, self._normalize, self._file_type = source._mode, source._normalize, source._file_type
            self.width, self.height, self.format = source.width, source.height, source.format
            self.caption = self.caption if caption is not None else source.caption
        elif isinstance(source, (str, os.PathLike)):
            self._from_file(os.fspath(source))
        elif _is_pil(source):
            self._pil = source.copy()
            self.width, self.height = source.size
        else:
            self._from_array(source)

    def _from_file(self, path: str) -> None:
        with open(path, "rb") as f:
            data = f.read()
        header = encode.read_header(data)
        if header is not None:
            self._file = data
            self.format, self.width, self.height = header
            return
        if encode.PILImage is None:
            raise ValueError(f"'{path}' is not a PNG, JPEG or GIF file (other formats need PIL: python3-pil).")
        try:
            with encode.PILImage.open(io.BytesIO(data)) as opened:
                opened.load()
                self._pil = opened.copy()
        except Exception as e:
            raise ValueError(f"'{path}' is not an image PIL can read: {e}") from None
        self.width, self.height = self._pil.size

    def _from_array(self, data) -> None:
        np = _numpy("runstream.Image of an array")
        if hasattr(data, "detach") and hasattr(data, "cpu"):       # a torch tensor
            data = data.detach().cpu().numpy()
        # A copy: the caller may fill the same buffer with the next batch before the worker encodes.
        array = np.array(data, copy=True)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"runstream.Image: an array of {array.dtype} is not pixels (use numbers).")
        shape = array.shape
        channels_last = array.ndim == 3 and shape[2] in (1, 3, 4)
        channels_first = array.ndim == 3 and not channels_last and shape[0] in (1, 3, 4)
        if array.ndim != 2 and not channels_last and not channels_first:
            raise ValueError(f"runstream.Image: an array of shape {shape}; images are HxW, HxWx1, HxWx3 or HxWx4.")
        self.height, self.width = shape[1:3] if channels_first else shape[:2]
        self._array = array

    @property
    def pixels(self) -> int:
        return int(self.width) * int(self.height)

    def _encode(self) -> encode.EncodedImage:
        """The image's file, made once (by the media worker)."""
        with self._lock:
            if self._encoded is None:
                if self._file is not None:
                    result = encode.encoded(self._file)
                elif self._pil is not None:
                    image = self._pil.convert(self._mode) if self._mode else self._pil
                    result = encode.encode_pil(image, self._file_type)
                elif self._mode and encode.PILImage is not None:
                    pixels = encode.to_uint8(encode.to_hwc(self._array), self._normalize)
                    result = encode.encode_pil(encode.PILImage.fromarray(pixels).convert(self._mode), self._file_type)
                else:
                    result = encode.encode_array(self._array, self._normalize, self._file_type)
                # The file is all that is needed from now on: let the pixels go.
                self._encoded, self._array, self._pil, self._file = result, None, None, None
            return self._encoded

    def __repr__(self):
        caption = f", caption={self.caption!r}" if self.caption else ""
        return f"<runstream.Image {self.width}x{self.height}{caption}>"


def _cell(value):
    """A table cell as the table keeps it: str, int, float, bool, None or an Image."""
    if value is None or isinstance(value, (bool, int, float, str, Image)):
        return value
    if type(value).__name__ in ("NAType", "NaTType"):            # pandas' missing values
        return None
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):   # numpy scalars
        return _cell(value.item())
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if callable(getattr(value, "isoformat", None)):              # dates and times
        return value.isoformat()
    raise TypeError(f"runstream.Table: a cell is a str, number, bool, None or runstream.Image; got a {type(value).__name__}.")


class Table:
    """A table to log: ``runstream.Table(columns=["image", "label"], data=[[runstream.Image(x), 3], ...])``
    or ``runstream.Table(dataframe=df)``. Cells are strings, numbers, booleans, None or Images.
    `dtype`, `optional` and `allow_mixed_types` are wandb's and are accepted and ignored."""

    MAX_ROWS = MAX_TABLE_ROWS

    def __init__(self, columns=None, data=None, rows=None, dataframe=None, dtype=None, optional=True,
                 allow_mixed_types=False):
        if dataframe is not None:
            columns = list(dataframe.columns)
            data = dataframe.itertuples(index=False, name=None)
        if data is None:
            data = rows
        self.columns = [str(c) for c in (columns if columns is not None else ["Input", "Output", "Expected"])]
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"runstream.Table: the columns {self.columns} name a column twice.")
        self.data = []
        self._images = []                 # every Image cell, for the checks at log() time
        for row in data or []:
            self.add_data(*row)

    def add_data(self, *cells) -> None:
        """Adds a row (one cell per column)."""
        if len(cells) != len(self.columns):
            raise ValueError(f"runstream.Table: a row of {len(cells)} cells for {len(self.columns)} columns {self.columns}.")
        row = [_cell(c) for c in cells]
        self._images.extend(c for c in row if isinstance(c, Image))
        self.data.append(row)

    def add_column(self, name, data) -> None:
        """Adds a column; `data` has a cell per row."""
        name = str(name)
        if name in self.columns:
            raise ValueError(f"runstream.Table: there is a column {name!r} already.")
        cells = [_cell(c) for c in data]
        if self.data and len(cells) != len(self.data):
            raise ValueError(f"runstream.Table: a column of {len(cells)} cells for {len(self.data)} rows.")
        # New row lists: a snapshot log() took keeps the rows it saw.
        self.data = [row + [cell] for row, cell in zip(self.data, cells)] if self.data else [[c] for c in cells]
        self.columns.append(name)
        self._images.extend(c for c in cells if isinstance(c, Image))

    def get_column(self, name) -> list:
        index = self.columns.index(name)
        return [row[index] for row in self.data]

    def __repr__(self):
        return f"<runstream.Table {len(self.data)} rows x {len(self.columns)} columns>"


class Histogram:
    """A histogram to log: ``runstream.Histogram(values, num_bins=64)`` (the finite values binned into
    equal bins off the training loop) or ``runstream.Histogram(np_histogram=np.histogram(values))``.
    `.histogram` (counts) and `.bins` (edges) as wandb names them."""

    MAX_LENGTH = MAX_HISTOGRAM_BINS

    def __init__(self, sequence=None, np_histogram=None, num_bins=64):
        self._lock = threading.Lock()
        self._values = None
        self._bins = None
        if np_histogram is not None:
            if len(np_histogram) != 2:
                raise ValueError("np_histogram is (counts, edges), as numpy.histogram returns them.")
            counts, edges = [int(c) for c in np_histogram[0]], [float(e) for e in np_histogram[1]]
            _check_bins(edges, counts)
            self._bins = (edges, counts)
            self.num_bins = len(counts)
            return
        if sequence is None:
            raise ValueError("runstream.Histogram needs a sequence of values or np_histogram=(counts, edges).")
        self.num_bins = int(num_bins)
        if not 1 <= self.num_bins <= MAX_HISTOGRAM_BINS:
            raise ValueError(f"num_bins is {num_bins}; a histogram has 1 to {MAX_HISTOGRAM_BINS} bins.")
        self._values = _copy_values(sequence)

    def _binned(self):
        with self._lock:
            if self._bins is None:
                self._bins = encode.bins_of(self._values, self.num_bins)
                self._values = None
            return self._bins

    @property
    def bins(self) -> list:
        return self._binned()[0]

    @property
    def histogram(self) -> list:
        return self._binned()[1]

    def __repr__(self):
        return f"<runstream.Histogram {self.num_bins} bins>"


def _check_bins(edges: list, counts: list) -> None:
    if not 1 <= len(counts) <= MAX_HISTOGRAM_BINS:
        raise ValueError(f"The histogram has {len(counts)} bins; a histogram has 1 to {MAX_HISTOGRAM_BINS}.")
    if len(edges) != len(counts) + 1:
        raise ValueError(f"len(bins) must be len(histogram) + 1; got {len(edges)} edges for {len(counts)} counts.")
    if any(e != e or e in (float("inf"), float("-inf")) for e in edges) or any(b < a for a, b in zip(edges, edges[1:])):
        raise ValueError("The histogram's edges must be finite and ascending.")
    if any(c < 0 for c in counts):
        raise ValueError("The histogram's counts must be 0 or more.")


def _copy_values(sequence):
    """The values as a flat float64 copy (a list without numpy), so later updates of the weights do not show."""
    if hasattr(sequence, "detach") and hasattr(sequence, "cpu"):      # a torch tensor
        sequence = sequence.detach().cpu().numpy()
    try:
        import numpy as np
    except ImportError:
        return [float(v) for v in sequence]
    return np.array(sequence, dtype=np.float64, copy=True).ravel()


# ---- what log() does with a value --------------------------------------------------------------

@dataclass(frozen=True)
class Images:
    """One image or a list under one key: (image, caption) pairs, the captions as they were at log()."""
    items: tuple


@dataclass(frozen=True)
class TableSnapshot:
    columns: tuple
    rows: tuple


def is_media(value) -> bool:
    if isinstance(value, (Image, Table, Histogram)):
        return True
    return isinstance(value, (list, tuple)) and len(value) > 0 and isinstance(value[0], Image)


def capture(key: str, value):
    """(snapshot for the worker, None), or (None, why the value is not logged) when it breaks a limit."""
    if isinstance(value, Histogram):
        return value, None
    if isinstance(value, Table):
        return _capture_table(key, value)
    images = [value] if isinstance(value, Image) else list(value)
    if len(images) > MAX_IMAGES_PER_VALUE:
        return None, f"{key!r} holds {len(images)} images; the limit is {MAX_IMAGES_PER_VALUE} per value: not logged."
    for image in images:
        if not isinstance(image, Image):
            return None, f"{key!r} is a list of images with a {type(image).__name__} in it: not logged."
        problem = _image_problem(key, image)
        if problem is not None:
            return None, problem
    return Images(tuple((image, image.caption) for image in images)), None


def _image_problem(key: str, image: Image):
    if image.pixels > MAX_IMAGE_PIXELS:
        return (f"an image of {key!r} is {image.width}x{image.height} = {image.pixels:,} pixels; the limit is "
                f"{MAX_IMAGE_PIXELS:,} (4096x4096): not logged (resize it first).")
    if image.width < 1 or image.height < 1:
        return f"an image of {key!r} is {image.width}x{image.height} pixels; both sides must be at least 1: not logged."
    file, done = image._file, image._encoded          # read once: the worker may encode it meanwhile
    size = len(file) if file is not None else (done.size if done is not None else 0)
    if size > MAX_IMAGE_BYTES:
        return f"an image file of {key!r} is {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,} (16 MiB): not logged."
    return None


def _capture_table(key: str, table: Table):
    if len(table.data) > MAX_TABLE_ROWS:
        return None, f"table {key!r} has {len(table.data):,} rows; the limit is {MAX_TABLE_ROWS:,}: not logged (log a sample of the rows)."
    if not 1 <= len(table.columns) <= MAX_TABLE_COLUMNS:
        return None, f"table {key!r} has {len(table.columns)} columns; a table has 1 to {MAX_TABLE_COLUMNS}: not logged."
    for column in table.columns:
        why = bad_key(column)
        if why is not None:
            return None, f"table {key!r}: the column name {column!r} {why}: not logged."
    for image in table._images:
        problem = _image_problem(key, image)
        if problem is not None:
            return None, problem
    # The row lists are never changed in place (add_column makes new ones): a shallow copy is a snapshot.
    return TableSnapshot(tuple(table.columns), tuple(table.data)), None


def capture_all(values: dict, warn) -> dict:
    """Snapshots (key -> snapshot) of the media values log() was given; a value over a limit is
    skipped with a warning that names its key and the limit, and the others go on."""
    captured = {}
    for key, value in values.items():
        snapshot, problem = capture(key, value)
        if problem is not None:
            warn(problem)
        else:
            captured[key] = snapshot
    return captured
