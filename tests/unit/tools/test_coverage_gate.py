"""The coverage gate fails below its floors."""

import json
from pathlib import Path

from tools.coverage_gate import check, main


def report(files: dict[str, tuple[int, int, int, int]]) -> dict[str, object]:
    return {
        "files": {
            name: {
                "summary": {
                    "covered_lines": cl,
                    "num_statements": ns,
                    "covered_branches": cb,
                    "num_branches": nb,
                }
            }
            for name, (cl, ns, cb, nb) in files.items()
        }
    }


def test_floor_met_and_missed_per_prefix() -> None:
    data = report(
        {
            "shared/domain/scan.py": (100, 100, 10, 10),
            "ingest/app.py": (80, 100, 0, 0),
            "api/x.py": (100, 100, 0, 0),
        }
    )
    verdicts = {v.prefix: v for v in check(data)}
    assert verdicts["shared/domain/"].ok
    assert not verdicts["ingest/"].ok
    assert round(verdicts[""].percent, 2) == round(100 * 290 / 310, 2)


def test_command_exits_non_zero_below_a_floor(tmp_path: Path) -> None:
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(report({"ingest/a.py": (10, 100, 0, 0)})))
    assert main([str(path)]) == 1
    path.write_text(json.dumps(report({"ingest/a.py": (100, 100, 4, 4)})))
    assert main([str(path)]) == 0


def test_missing_report_is_an_error(tmp_path: Path) -> None:
    assert main([str(tmp_path / "nope.json")]) == 2
