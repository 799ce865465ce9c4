"""The "<run id>?_step=<step>" references of fork_from and resume_from, and what init refuses before any network."""

import pytest

import runstream
from runstream._fork import check_step, parse_step_reference


class _Progress:
    def __init__(self, exists, last_step):
        self.exists, self.last_step = exists, last_step


def test_a_reference_names_a_run_and_a_step():
    assert parse_step_reference("fork_from", "abc123?_step=200") == ("abc123", 200)
    assert parse_step_reference("resume_from", "run.v2_x-1?_step=0") == ("run.v2_x-1", 0)


@pytest.mark.parametrize("value", ["abc123", "abc123?_step=", "abc123?_step=-1", "abc?step=3", "a/b?_step=3", "", 7, None])
def test_anything_else_is_refused_naming_the_argument_and_the_form(value):
    with pytest.raises(ValueError, match=r"fork_from=.*<run id>\?_step=<step>"):
        parse_step_reference("fork_from", value)


def test_the_step_must_be_within_the_runs_history():
    check_step("fork_from", "p", 4, _Progress(True, 4))
    with pytest.raises(runstream.RunstreamError, match="has logged no step"):
        check_step("fork_from", "p", 0, _Progress(True, -1))
    with pytest.raises(runstream.RunstreamError, match="does not exist"):
        check_step("resume_from", "p", 0, _Progress(False, -1))
    with pytest.raises(runstream.RunstreamError, match="does not exist"):
        check_step("resume_from", "p", 0, None)


def test_init_refuses_both_a_mismatched_id_and_offline_forks(tmp_path):
    with pytest.raises(ValueError, match="pass one of them"):
        runstream.init(project="p", fork_from="a?_step=1", resume_from="b?_step=1", mode="offline", dir=str(tmp_path))
    with pytest.raises(ValueError, match="continues run 'b', but id is 'c'"):
        runstream.init(project="p", id="c", resume_from="b?_step=1", mode="offline", dir=str(tmp_path))
    with pytest.raises(runstream.RunstreamError, match="does not work offline"):
        runstream.init(project="p", fork_from="a?_step=1", mode="offline", dir=str(tmp_path))
    assert runstream.run is None
