r"""`python -m tools.bootstrap_admin`: create the first Admin account (badge + one-time PIN).

Example:
    python -m tools.bootstrap_admin --service-number A12345678 --rank Lt(N) \\
        --first-name Alex --last-name Roy --division CMD --badge 04A1B2C3D4E5F6

A random temporary PIN is printed once; it must be changed at the first sign-in. Refuses to
run when an active Admin exists (use the API), unless `--force`.
"""

import argparse
import asyncio
import getpass
import sys

from shared.clock import SystemClock
from shared.db.engine import make_engine, make_sessionmaker
from shared.errors import SentinelError
from shared.services.admin_bootstrap import AdminSpec, BootstrappedAdmin, bootstrap_admin
from shared.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.bootstrap_admin", description=__doc__)
    parser.add_argument("--service-number", required=True)
    parser.add_argument("--rank", required=True, help="rank code, e.g. Lt(N) or CIV")
    parser.add_argument("--first-name", required=True)
    parser.add_argument("--last-name", required=True)
    parser.add_argument("--initials", default="")
    parser.add_argument("--division", default="CMD", help="division code (created if missing)")
    parser.add_argument("--badge", required=True, help="badge UID in hex, e.g. 04A1B2C3")
    parser.add_argument("--level", type=int, default=5, choices=(5, 6))
    parser.add_argument("--ask-pin", action="store_true", help="choose the PIN (prompted)")
    parser.add_argument("--force", action="store_true", help="run even if an Admin exists")
    return parser


def _ask_pin() -> str:
    first = getpass.getpass("PIN (4 digits): ")
    if getpass.getpass("PIN again: ") != first:
        raise SystemExit("bootstrap_admin: the PINs differ")
    return first


async def _run(settings: Settings, spec: AdminSpec, *, force: bool) -> BootstrappedAdmin:
    engine = make_engine(settings.database_url, application_name="sentinel-bootstrap", pool_size=1)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return await bootstrap_admin(session, spec, now=SystemClock().now(), force=force)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    spec = AdminSpec(
        service_number=args.service_number,
        rank=args.rank,
        first_name=args.first_name,
        last_name=args.last_name,
        initials=args.initials,
        division=args.division,
        badge_serial=args.badge,
        level=args.level,
        pin=_ask_pin() if args.ask_pin else None,
    )
    try:
        made = asyncio.run(_run(Settings(), spec, force=args.force))
    except SentinelError as exc:
        print(f"bootstrap_admin: {exc.message} ({exc.code})", file=sys.stderr)
        return 1
    print(f"Created {made.display_name} (level {spec.level}) with badge {made.badge_serial}.")
    if made.temporary_pin:
        print(f"Temporary PIN: {made.temporary_pin}  (shown once; change it at first sign-in)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
