"""Config, summary, value conversion, resume decisions and API helpers (pure logic)."""

import argparse
import math

import pytest

from runstream import Config, RunstreamError, Summary
from runstream._api import _order, _project_of, _rows_of_series, _run_path
from runstream._pb import pb
from runstream._init import decide_start, resume_mode
from runstream._transport import backoff, balanced_target_of, target_of
from runstream._values import flatten, to_float, to_json_object


def test_config_reads_as_dict_and_attributes_and_records_updates():
    sent = []
    config = Config({"epochs": 3, "optimizer": {"lr": 0.1}}, send=sent.append)
    assert config["epochs"] == 3 and config.epochs == 3
    assert config["optimizer.lr"] == 0.1 and config.optimizer == {"lr": 0.1}
    config.update({"batch_size": 64})
    config.dropout = 0.5
    config["seed"] = 7
    config.setdefaults({"epochs": 100, "momentum": 0.9})
    assert sent == [{"batch_size": 64}, {"dropout": 0.5}, {"seed": 7}, {"momentum": 0.9}]
    assert config.epochs == 3 and "momentum" in config and len(config) == 6
    with pytest.raises(AttributeError):
        config.missing
    with pytest.raises(KeyError):
        config["missing"]


def test_config_takes_namespaces_and_numpy_values():
    np = pytest.importorskip("numpy")
    values = to_json_object(argparse.Namespace(lr=np.float32(0.5), layers=np.array([1, 2]), nan=float("nan")))
    assert values == {"lr": 0.5, "layers": [1, 2], "nan": "NaN"}


def test_summary_sends_numbers_strings_and_booleans_and_keeps_the_rest_locally():
    sent, warnings = [], []
    summary = Summary(send=sent.append, warn=warnings.append)
    summary["best"] = 0.9
    summary.update({"a": 1, "label": "cat", "converged": True, "layers": [1, 2]})
    summary._observe({"loss": 0.1})
    assert sent == [{"values": {"best": 0.9}, "strings": {}, "booleans": {}},
                    {"values": {"a": 1.0}, "strings": {"label": "cat"}, "booleans": {"converged": True}}]
    assert summary.best == 0.9 and summary["label"] == "cat" and summary["loss"] == 0.1 and summary["layers"] == [1, 2]
    assert warnings == ["summary['layers'] is a list; it is kept locally, only numbers, strings and booleans are sent."]


def test_metric_values():
    assert to_float(True) == 1.0 and to_float(3) == 3.0 and to_float("x") is None
    assert math.isnan(to_float(float("nan")))
    np = pytest.importorskip("numpy")
    assert to_float(np.float32(0.25)) == 0.25 and to_float(np.int64(4)) == 4.0
    assert to_float(np.array(2.5)) == 2.5 and to_float(np.array([1, 2])) is None
    assert flatten({"train": {"loss": 1, "acc": {"top1": 2}}, "lr": 3}) == {"train.loss": 1, "train.acc.top1": 2, "lr": 3}


def test_resume_decisions():
    exists = pb.RunProgress(exists=True, last_sequence=7, last_step=41, state="finished", config_json='{"a":1}')
    absent = pb.RunProgress(exists=False, last_step=-1)
    assert decide_start("r", "allow", exists, 0, -1) == (True, 7, 42, '{"a":1}')
    assert decide_start("r", "allow", exists, 9, 50) == (True, 9, 51, '{"a":1}')   # the spool knows more
    assert decide_start("r", "allow", absent, 0, -1) == (False, 0, 0, None)
    assert decide_start("r", "must", None, 3, 2) == (True, 3, 3, None)             # offline, spool only
    with pytest.raises(RunstreamError):
        decide_start("r", "must", absent, 0, -1)
    with pytest.raises(RunstreamError):
        decide_start("r", "never", exists, 0, -1)
    assert [resume_mode(m) for m in (None, False, "never", True, "allow", "must")] == \
        ["never", "never", "never", "allow", "allow", "must"]
    with pytest.raises(ValueError):
        resume_mode("sometimes")


def test_addresses_and_backoff():
    assert target_of("http://127.0.0.1:5101") == ("127.0.0.1:5101", False)
    assert target_of("https://ingest.example") == ("ingest.example:443", True)
    assert target_of("http://[::1]:5101") == ("[::1]:5101", False)
    assert target_of("localhost:5101") == ("localhost:5101", False)


def test_several_ingest_urls_make_one_balanced_target_of_addresses():
    assert balanced_target_of("http://127.0.0.1:5101") == ("127.0.0.1:5101", False, None)
    assert balanced_target_of("http://127.0.0.1:5101, http://localhost:5111")[:2] == ("ipv4:127.0.0.1:5101,127.0.0.1:5111", False)
    assert balanced_target_of("https://127.0.0.1:5101,https://127.0.0.2:5111") == ("ipv4:127.0.0.1:5101,127.0.0.2:5111", True, "127.0.0.1:5101")
    assert balanced_target_of("http://[::1]:5101,http://[::1]:5111") == ("ipv6:[::1]:5101,[::1]:5111", False, "[::1]:5101")
    with pytest.raises(ValueError, match="one scheme"):
        balanced_target_of("http://127.0.0.1:5101,https://127.0.0.1:5111")
    for attempt in range(10):
        ceiling = min(10.0, 0.2 * 2 ** min(attempt, 6))
        assert ceiling / 2 <= backoff(attempt) <= ceiling


def test_api_paths_and_order():
    assert _project_of("cats") == "cats" and _project_of("local/cats") == "cats"
    assert _run_path("cats/abc") == ("cats", "abc")
    assert _run_path("local/cats/abc") == ("cats", "abc")
    assert _run_path("local/cats/runs/abc") == ("cats", "abc")
    assert _order("-summary_metrics.acc") == "-summary.acc"
    assert _order("+created_at") == "createdAt" and _order("-config.lr") == "-config.lr"


def test_sampled_series_become_rows():
    answer = {"x": "_step", "series": {
        "loss": {"x": [0, 5, 9], "min": [1, 0.5, 0.1], "max": [1, 0.9, 0.4], "last": [1, 0.6, "NaN"], "count": 10},
        "acc": {"x": [0, 9], "min": [0, 0], "max": [0, 1], "last": [0, 1], "count": 10}}}
    rows = _rows_of_series(answer)
    assert [r["_step"] for r in rows] == [0, 5, 9]
    assert rows[0] == {"_step": 0, "loss": 1, "acc": 0}
    assert rows[1] == {"_step": 5, "loss": 0.6}
    assert math.isnan(rows[2]["loss"]) and rows[2]["acc"] == 1


def test_retry_after_trailer():
    import grpc

    from runstream._transport import retry_after

    class Exhausted(grpc.RpcError):
        def __init__(self, trailers):
            self._trailers = trailers

        def trailing_metadata(self):
            return self._trailers

    assert retry_after(Exhausted((("retry-after-ms", "1500"),))) == 1.5
    assert retry_after(Exhausted(())) is None
    assert retry_after(Exhausted((("retry-after-ms", "soon"),))) is None
