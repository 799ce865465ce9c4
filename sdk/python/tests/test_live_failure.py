"""Failed runs: an exception in the with-block, and a script that dies."""

import pytest

import runstream
from helpers import run_python, wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def test_an_exception_in_the_block_marks_the_run_failed(project, api):
    with pytest.raises(RuntimeError, match="diverged"):
        with runstream.init(project=project) as run:
            run.log({"loss": 1.0})
            raise RuntimeError("diverged")
    remote = wait_for_run(api, project, run.id, state="failed")
    assert remote.exit_code == 1 and remote.summary == {"loss": 1.0}


def test_a_script_dying_of_an_exception_marks_its_run_failed(project, api):
    script = ("import runstream\n"
              f"run = runstream.init(project='{project}')\n"
              "print(run.id, flush=True)\n"
              "run.log({'loss': 2.0})\n"
              "raise KeyError('no such batch')\n")
    done = run_python(["-c", script])
    assert done.returncode == 1 and "KeyError" in done.stderr
    remote = wait_for_run(api, project, done.stdout.strip(), state="failed")
    assert remote.exit_code == 1 and remote.summary == {"loss": 2.0}


def test_finish_with_an_exit_code(project, api):
    run = runstream.init(project=project)
    run.finish(exit_code=3)
    assert wait_for_run(api, project, run.id, state="failed").exit_code == 3
