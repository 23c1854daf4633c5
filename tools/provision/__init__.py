"""Broker credentials, ACLs, TLS and reader provisioning (issue 8); see broker/README.md.

`tools/flash` uses `provision_reader`, `reader_files` and `write_reader_files`.
"""

from tools.provision.readers import (
    CA_DEVICE_PATH,
    BrokerEndpoint,
    ReaderCredentials,
    issue_reader_credentials,
    provision_reader,
    reader_config,
    reader_files,
    revoke_reader,
    write_reader_files,
)
from tools.provision.state import BrokerState, PrincipalExists, UnknownPrincipal, reload_broker

__all__ = [
    "CA_DEVICE_PATH",
    "BrokerEndpoint",
    "BrokerState",
    "PrincipalExists",
    "ReaderCredentials",
    "UnknownPrincipal",
    "issue_reader_credentials",
    "provision_reader",
    "reader_config",
    "reader_files",
    "reload_broker",
    "revoke_reader",
    "write_reader_files",
]
