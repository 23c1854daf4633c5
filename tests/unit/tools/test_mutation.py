"""The mutation command scores mutmut's verdicts and fails below its floor."""

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools import mutation
from tools.mutation import main, parse_results, report, score

RESULTS = """\
    shared.domain.checkin.x_toggle__mutmut_1: killed
    shared.domain.checkin.x_toggle__mutmut_2: survived
    shared.domain.opday.x_operational_date__mutmut_1: timeout
    shared.domain.opday.x_operational_date__mutmut_2: no tests
    shared.domain.lockup.xǁCandidateǁrank__mutmut_1: caught by type check
    shared.domain.lockup.xǁCandidateǁrank__mutmut_2: skipped
"""


def test_parse_reads_name_and_verdict_lines_only() -> None:
    verdicts = parse_results("warning: something\n" + RESULTS + "\n")
    assert len(verdicts) == 6
    assert verdicts["shared.domain.opday.x_operational_date__mutmut_2"] == "no tests"
    assert verdicts["shared.domain.lockup.xǁCandidateǁrank__mutmut_1"] == "caught by type check"


def test_score_counts_timeouts_and_type_errors_as_killed_and_skips_skipped() -> None:
    result = score(parse_results(RESULTS))
    assert (result.killed, result.tested) == (3, 5)
    assert result.percent == pytest.approx(60.0)
    assert result.not_killed == {
        "shared.domain.checkin.x_toggle__mutmut_2": "survived",
        "shared.domain.opday.x_operational_date__mutmut_2": "no tests",
    }


def test_unchecked_mutants_make_the_run_incomplete() -> None:
    with pytest.raises(ValueError, match="not checked"):
        score({"a.x_f__mutmut_1": "killed", "a.x_f__mutmut_2": "not checked"})


def test_nothing_tested_scores_full() -> None:
    assert score({}).percent == 100.0


def test_report_lists_survivors_by_module_and_marks_the_floor() -> None:
    text = report(score(parse_results(RESULTS)), floor=50.0)
    assert "shared.domain.checkin" in text
    assert "shared.domain.checkin.x_toggle__mutmut_2  [survived]" in text
    assert text.endswith("ok   mutation score 60.00% (3 killed / 5 tested; floor 50%)")
    assert report(score(parse_results(RESULTS)), floor=90.0).startswith("not killed")
    assert "FAIL mutation score" in report(score(parse_results(RESULTS)), floor=90.0)


class FakeMutmut:
    """Stands in for subprocess.run: records the calls, answers `results` with canned text."""

    def __init__(self, results: str, run_code: int = 0) -> None:
        self.results = results
        self.run_code = run_code
        self.calls: list[list[str]] = []

    def __call__(self, cmd: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(cmd)
        if cmd[1] == "run":
            return subprocess.CompletedProcess(cmd, self.run_code, "", "")
        return subprocess.CompletedProcess(cmd, 0, self.results, "")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeMutmut:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mutation, "mutmut_command", lambda: ["mutmut"])
    fake = FakeMutmut(RESULTS)
    monkeypatch.setattr(mutation.subprocess, "run", fake)
    return fake


def test_main_runs_fresh_with_two_children_and_fails_below_the_floor(
    fake: FakeMutmut, capsys: pytest.CaptureFixture[str]
) -> None:
    (Path("mutants") / "stale").mkdir(parents=True)
    assert main([]) == 1
    assert not Path("mutants").exists()
    assert fake.calls[0] == ["mutmut", "run", "--max-children", "2"]
    assert fake.calls[1] == ["mutmut", "results", "--all", "true"]
    assert "FAIL mutation score 60.00%" in capsys.readouterr().out


def test_main_passes_at_the_floor_and_keeps_the_cache_when_asked(fake: FakeMutmut) -> None:
    Path("mutants").mkdir()
    assert main(["--keep", "--floor", "60"]) == 0
    assert Path("mutants").exists()


def test_report_only_does_not_run_mutmut(fake: FakeMutmut) -> None:
    assert main(["--report-only", "--floor", "0"]) == 0
    assert [call[1] for call in fake.calls] == ["results"]


def test_a_failed_or_empty_run_is_an_error(fake: FakeMutmut) -> None:
    fake.run_code = 1
    assert main([]) == 2
    fake.run_code, fake.results = 0, ""
    assert main([]) == 2
    fake.results = "    a.x_f__mutmut_1: not checked\n"
    assert main([]) == 2


def test_mutmut_is_found_in_this_environment() -> None:
    assert Path(mutation.mutmut_command()[0]).name == "mutmut"
