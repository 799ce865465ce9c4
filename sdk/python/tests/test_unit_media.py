"""Images, tables and histograms: what they encode to, what log() does with them (little: the media
worker encodes later), the limits, and what an offline run keeps in its spool."""

import io
import json

import numpy as np
import pytest
from PIL import Image as PIL

import runstream
from runstream import _media_encode
import helpers
from helpers import spooled_frames, stashed_content


def media_rows(run):
    return helpers.media_rows(spooled_frames(run.dir))


def content(run, digest: str) -> bytes:
    return stashed_content(run.dir, digest)


def decode(data: bytes):
    return np.asarray(PIL.open(io.BytesIO(data)))


def encode(image: runstream.Image) -> bytes:
    return image._encode().data


# ---- encoding -----------------------------------------------------------------------------------

@pytest.fixture(params=["pil", "builtin"])
def encoder(request, monkeypatch):
    """Each encoding test runs with PIL and with the built-in PNG writer (as on a machine without PIL)."""
    if request.param == "builtin":
        monkeypatch.setattr(_media_encode, "PILImage", None)
    return request.param


def test_uint8_arrays_round_trip_exactly(encoder):
    rng = np.random.default_rng(1)
    for shape in [(5, 7), (5, 7, 3), (5, 7, 4)]:
        pixels = rng.integers(0, 256, shape, dtype=np.uint8)
        image = runstream.Image(pixels)
        assert (image.width, image.height) == (7, 5)
        done = image._encode()
        assert (done.format, done.width, done.height) == ("png", 7, 5)
        assert np.array_equal(decode(done.data), pixels), shape
    single = rng.integers(0, 256, (4, 6, 1), dtype=np.uint8)
    assert np.array_equal(decode(encode(runstream.Image(single))), single[:, :, 0])


def test_floats_are_scaled_as_wandb_does(encoder):
    unit = np.array([[0.0, 0.5], [1.0, 0.25]], dtype=np.float32)
    assert decode(encode(runstream.Image(unit))).tolist() == [[0, 127], [255, 63]]
    # Larger than 1: taken as 0..255 and clipped; negative: stretched to 0..1 first.
    assert decode(encode(runstream.Image(np.array([[3.0, 300.0]])))).tolist() == [[3, 255]]
    assert decode(encode(runstream.Image(np.array([[-1.0, 0.0, 1.0]])))).tolist() == [[0, 127, 255]]
    assert decode(encode(runstream.Image(np.array([[True, False]])))).tolist() == [[255, 0]]


def test_channels_first_arrays_are_transposed(encoder):
    chw = np.zeros((3, 4, 6), dtype=np.uint8)
    chw[0] = 200                                   # red everywhere
    image = runstream.Image(chw)
    assert (image.width, image.height) == (6, 4)
    assert decode(encode(image))[2, 3].tolist() == [200, 0, 0]


def test_the_array_is_copied_when_the_image_is_made():
    buffer = np.full((3, 3), 10, dtype=np.uint8)
    image = runstream.Image(buffer)
    buffer[:] = 99                                 # the next batch lands in the same buffer
    assert decode(encode(image)).max() == 10


def test_bad_arrays_are_refused_at_once():
    with pytest.raises(ValueError, match="HxW"):
        runstream.Image(np.zeros((2, 3, 5, 7)))
    with pytest.raises(TypeError):
        runstream.Image(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="file_type"):
        runstream.Image(np.zeros((2, 2)), file_type="bmp")


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF"])
def test_a_file_is_logged_byte_for_byte_with_its_size_from_the_header(tmp_path, kind):
    path = tmp_path / f"picture.{kind.lower()}"
    PIL.fromarray(np.random.default_rng(2).integers(0, 256, (9, 13, 3), dtype=np.uint8)).save(path, format=kind)
    image = runstream.Image(str(path), caption="from disk")
    done = image._encode()
    assert done.data == path.read_bytes()
    assert (done.format, done.width, done.height) == (kind.lower(), 13, 9)
    assert (image.width, image.height, image.format) == (13, 9, kind.lower())


def test_other_files_are_converted_or_refused(tmp_path):
    PIL.new("RGB", (3, 2), (1, 2, 3)).save(tmp_path / "x.bmp")
    done = runstream.Image(tmp_path / "x.bmp")._encode()
    assert (done.format, done.width, done.height) == ("png", 3, 2)
    assert decode(done.data)[0, 0].tolist() == [1, 2, 3]
    (tmp_path / "x.txt").write_text("not an image")
    with pytest.raises(ValueError):
        runstream.Image(str(tmp_path / "x.txt"))


def test_pil_images_and_jpeg_output():
    picture = PIL.new("RGB", (8, 4), (10, 200, 30))
    image = runstream.Image(picture, caption="pil")
    picture.paste((0, 0, 0), (0, 0, 8, 4))          # changed after: the logged copy is not
    assert decode(encode(image))[0, 0].tolist() == [10, 200, 30]
    done = runstream.Image(np.zeros((4, 8, 3), dtype=np.uint8), file_type="jpg")._encode()
    assert (done.format, done.width, done.height) == ("jpeg", 8, 4)
    assert PIL.open(io.BytesIO(done.data)).format == "JPEG"


def test_the_image_header_reader_agrees_with_pil():
    for kind in ("PNG", "JPEG", "GIF"):
        out = io.BytesIO()
        PIL.new("RGB", (321, 123)).save(out, format=kind)
        assert _media_encode.read_header(out.getvalue()) == (kind.lower(), 321, 123)
    assert _media_encode.read_header(b"plain text, no image") is None


# ---- histograms ---------------------------------------------------------------------------------

def test_histogram_bins_match_numpy_and_skip_non_finite_values():
    values = np.random.default_rng(3).normal(size=1000)
    counts, edges = np.histogram(values, bins=20)
    histogram = runstream.Histogram(np.concatenate([values, [np.nan, np.inf]]), num_bins=20)
    assert histogram.histogram == counts.tolist() and histogram.bins == pytest.approx(edges.tolist())
    assert sum(runstream.Histogram(values).histogram) == 1000 and len(runstream.Histogram(values).bins) == 65


def test_histogram_binning_without_numpy_matches_numpy():
    values = [0.0, 0.1, 0.5, 0.5, 0.99, 1.0, 2.5, -3.0]
    counts, edges = np.histogram(values, bins=7)
    mine_edges, mine_counts = _media_encode._bins_in_python(values, 7)
    assert mine_counts == counts.tolist() and mine_edges == pytest.approx(edges.tolist())
    assert _media_encode._bins_in_python([2.0, 2.0], 2) == ([1.5, 2.0, 2.5], [0, 2])      # as numpy: +-0.5


def test_histogram_arguments_are_checked_as_wandb_does():
    with pytest.raises(ValueError, match="512"):
        runstream.Histogram([1, 2], num_bins=513)
    with pytest.raises(ValueError, match="len\\(bins\\)"):
        runstream.Histogram(np_histogram=([1, 2], [0, 1]))
    given = runstream.Histogram(np_histogram=np.histogram([1, 2, 2, 3], bins=3))
    assert (given.histogram, given.bins) == ([1, 2, 1], pytest.approx([1, 5 / 3, 7 / 3, 3]))
    weights = np.ones(10)
    later = runstream.Histogram(weights)
    weights[:] = 5                                   # a training step after logging
    assert later.bins[0] == 0.5 and later.histogram[32] == 10


# ---- tables -------------------------------------------------------------------------------------

def test_table_cells_are_checked_when_added():
    table = runstream.Table(columns=["a", "b"])
    table.add_data(np.int64(3), np.float32(0.5))
    assert table.data == [[3, 0.5]] and type(table.data[0][0]) is int
    with pytest.raises(ValueError):
        table.add_data(1)
    with pytest.raises(TypeError):
        table.add_data([1, 2], "list cells are not allowed")
    with pytest.raises(ValueError):
        runstream.Table(columns=["x", "x"])
    table.add_column("c", ["third"])
    assert table.columns == ["a", "b", "c"] and table.get_column("c") == ["third"]


def test_a_table_file_holds_columns_rows_and_image_cells():
    pandas = pytest.importorskip("pandas")
    thumb = runstream.Image(np.full((4, 5), 77, dtype=np.uint8), caption="seven")
    frame = pandas.DataFrame({"image": [thumb, thumb], "label": ["cat", None], "p": [0.25, float("nan")]})
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"errors": runstream.Table(dataframe=frame)})
    [(step, cells)] = media_rows(run)
    ref = cells["errors"].table
    assert (step, list(ref.columns), ref.row_count) == (0, ["image", "label", "p"], 2)
    document = json.loads(content(run, ref.digest))
    image_cell = document["data"][0][0]
    assert document["columns"] == ["image", "label", "p"]
    assert document["data"][0][1:] == ["cat", 0.25] and document["data"][1][1:] == [None, None]   # NaN: null
    assert image_cell == {"_type": "image", "digest": ref.image_digests[0], "size": len(content(run, image_cell["digest"])),
                          "width": 5, "height": 4, "format": "png", "caption": "seven"}
    assert list(ref.image_digests) == [image_cell["digest"]]        # each image once
    assert decode(content(run, image_cell["digest"])).max() == 77


def test_rows_added_after_log_are_not_in_the_logged_table():
    table = runstream.Table(columns=["n"], data=[[1]])
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"t": table})
        table.add_data(2)
        table.add_column("m", ["x", "y"])
    [(_, cells)] = media_rows(run)
    assert json.loads(content(run, cells["t"].table.digest)) == {"columns": ["n"], "data": [[1]]}
