"""The media worker: the encoding and bookkeeping of logged media, on a thread of its own.

log() only hands it snapshots (_media.capture). For each value the worker encodes the files (PNG
images, a table's JSON), keeps each in the run's spool content directory under its SHA-256, and
then hands a MediaLogged frame that names them to the uplink. The sender uploads content it finds
there before it sends a frame naming it (as for artifacts logged during an outage), and an offline
run keeps it there for `runstream sync`: one path for online, offline and interrupted runs.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading

from . import _media_encode as encode
from ._media import (MAX_BYTES_PER_RUN, MAX_IMAGE_BYTES, MAX_TABLE_BYTES, Histogram, Image, Images,
                     TableSnapshot)
from ._pb import pb

# Values that are waiting when the worker gets to them share a frame, up to these bounds: a frame
# costs Ingest and Projections a transaction, and Ingest takes frames up to 16 MiB.
ROWS_PER_FRAME = 256
FRAME_BYTES = 4 << 20

_DONE = object()


class _Skip(Exception):
    """A value is not logged (a limit, said in a warning already)."""


class _Batch:
    """Rows of media as one MediaLogged frame, each key named once."""

    def __init__(self):
        self.keys = []
        self.index = {}
        self.rows = []
        self.bytes = 0

    def add(self, step: int, time_ms: int, cells: list) -> None:
        row = pb.MediaRow(step=step, time_unix_ms=time_ms)
        for key, cell in cells:
            index = self.index.get(key)
            if index is None:
                index = self.index[key] = len(self.keys)
                self.keys.append(key)
            cell.key_index = index
            row.cells.append(cell)
        self.rows.append(row)
        self.bytes += row.ByteSize() + 2 * len(cells)

    def full(self) -> bool:
        return len(self.rows) >= ROWS_PER_FRAME or self.bytes >= FRAME_BYTES

    def frame(self):
        return pb.RunFrame(media=pb.MediaLogged(keys=self.keys, rows=self.rows))


class MediaWorker:
    def __init__(self, spool, uplink, warn):
        self._spool = spool
        self._uplink = uplink
        self._warn = warn
        self._queue = queue.SimpleQueue()
        self._run_bytes = 0           # media bytes this run logged, counted as Ingest counts them
        self._written = False         # files handed to the OS, not synced to disk yet
        self._thread = threading.Thread(target=self._work, name=f"runstream-media-{spool.run_id}", daemon=True)
        self._thread.start()

    def submit(self, step: int, time_ms: int, values: dict) -> None:
        """Values (key -> snapshot) logged at `step`; returns at once."""
        self._queue.put((step, time_ms, values))

    def close(self) -> None:
        """Waits until everything submitted is encoded, kept and enqueued as frames (finish() calls
        this before it ends the run, so the media frames come before RunFinished)."""
        self._queue.put(_DONE)
        self._thread.join()
        if self._written and self._spool.stashed_digests():
            # The files wait for an upload (offline, or Ingest away): make them as durable as the
            # spool's frames, which finish() syncs. One sync, not an fsync per file: per file it
            # cost 2-3 ms each, seconds for a thousand images.
            os.sync()

    # ---- the thread ----------------------------------------------------------------------------

    def _work(self) -> None:
        done = False
        while not done:
            item = self._queue.get()
            batch = _Batch()
            while True:
                if item is _DONE:
                    done = True
                    break
                try:
                    self._add(batch, *item)
                except Exception as e:  # the worker must outlive any one value
                    self._warn(f"media of step {item[0]} is not logged: {type(e).__name__}: {e}")
                if batch.full():
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch.rows:
                try:
                    self._uplink.enqueue_frame(batch.frame())
                except Exception as e:      # the run ended under us; nothing to send it to
                    self._warn(f"media of {len(batch.rows)} step(s) could not be logged: {e}")

    def _add(self, batch: _Batch, step: int, time_ms: int, values: dict) -> None:
        cells = []
        for key, value in values.items():
            try:
                cells.append((key, self._cell(key, value)))
            except _Skip:
                pass
            except Exception as e:  # one bad value must not stop the worker, nor take the step's others
                self._warn(f"media {key!r} is not logged: {type(e).__name__}: {e}")
        if cells:
            batch.add(step, time_ms, cells)

    def _cell(self, key: str, value):
        """The value's MediaCell, its files kept in the spool; raises _Skip when it is not logged."""
        files = {}                                   # digest -> bytes the value needs uploaded
        if isinstance(value, Histogram):
            edges, counts = value._binned()
            cell, size = pb.MediaCell(histogram=pb.Histogram(edges=edges, counts=counts)), 0
        elif isinstance(value, TableSnapshot):
            ref = self._table(key, value, files)
            cell, size = pb.MediaCell(table=ref), ref.size
        elif isinstance(value, Images):
            refs = []
            for image, caption in value.items:
                done = self._image(key, image)
                files[done.digest] = done.data
                refs.append(pb.ImageRef(digest=done.digest, size=done.size, width=done.width, height=done.height,
                                        format=done.format, caption=caption or ""))
            cell, size = pb.MediaCell(images=pb.ImageList(images=refs)), sum(r.size for r in refs)
        else:
            raise TypeError(f"not a media value: {type(value).__name__}")
        if self._run_bytes + size > MAX_BYTES_PER_RUN:
            self._warn(f"media {key!r} is not logged: the run's media would pass {MAX_BYTES_PER_RUN:,} bytes "
                       f"(10 GiB), the limit per run.")
            raise _Skip()
        self._run_bytes += size
        for digest, data in files.items():
            self._keep(digest, data)
        return cell

    def _image(self, key: str, image: Image) -> encode.EncodedImage:
        done = image._encode()
        if done.size > MAX_IMAGE_BYTES:
            self._warn(f"an image of {key!r} is {done.size:,} bytes as {done.format}; the limit is "
                       f"{MAX_IMAGE_BYTES:,} (16 MiB): not logged.")
            raise _Skip()
        return done

    def _table(self, key: str, table: TableSnapshot, files: dict):
        images = {}                                  # the cells' image digests, each once, in order

        def image_cell(image: Image) -> dict:
            done = self._image(key, image)
            files[done.digest] = done.data
            images[done.digest] = None
            return {"_type": "image", "digest": done.digest, "size": done.size, "width": done.width,
                    "height": done.height, "format": done.format, "caption": image.caption}

        data = encode.table_file(table.columns, table.rows, Image, image_cell)
        if len(data) > MAX_TABLE_BYTES:
            self._warn(f"table {key!r} is {len(data):,} bytes as JSON; the limit is {MAX_TABLE_BYTES:,} (32 MiB): not logged.")
            raise _Skip()
        digest = encode.sha256(data)
        files[digest] = data
        return pb.TableRef(digest=digest, size=len(data), columns=table.columns, row_count=len(table.rows),
                           image_digests=list(images))

    def _keep(self, digest: str, data: bytes) -> None:
        """Writes a file into the spool's content directory as <sha256> (whole or not at all: a
        temporary file renamed), unless it is there already."""
        directory = self._spool.content_directory
        target = os.path.join(directory, digest)
        if os.path.exists(target):
            return
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        self._written = True
