"""`python -m tools.provision.reference`: regenerate broker/mosquitto.conf and broker/acl.example.

They are the rendered production defaults, checked in for review and as templates; a test
fails when they drift from what `init` and the ACL renderer produce.
"""

import sys
from pathlib import Path

from tools.provision.acl import Role, render_acl
from tools.provision.brokerconf import BrokerConfig, production_listeners, render_config
from tools.provision.state import DEFAULT_STATE_DIR

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PRINCIPALS = {
    "ingest": Role.SERVICE,
    "dashboard": Role.DASHBOARD,
    "monitor": Role.MONITOR,
    "esp32-a1b2c3": Role.READER,
}


def reference_files() -> dict[Path, str]:
    """Return path → content of the checked-in reference files."""
    config = BrokerConfig(state_dir=DEFAULT_STATE_DIR, listeners=production_listeners())
    return {
        ROOT / "broker" / "mosquitto.conf": render_config(config),
        ROOT / "broker" / "acl.example": render_acl(EXAMPLE_PRINCIPALS),
    }


def main() -> int:
    """Write the reference files."""
    for path, content in reference_files().items():
        path.write_text(content)
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
