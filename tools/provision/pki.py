"""A local certificate authority for the broker's TLS listeners, built with `cryptography`.

Keys are ECDSA P-256 (fast on the ESP32's mbedTLS). The CA signs the broker's server
certificate and, for optional mutual TLS, client certificates. An operator with their own CA
simply puts `ca.crt`, `server.crt` and `server.key` in the TLS directory: nothing here
overwrites existing files unless asked to.
"""

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shared.clock import SystemClock
from tools.provision.files import write_private

CA_DAYS = 3650
LEAF_DAYS = 825  # the longest validity many TLS clients still accept for a leaf


@dataclass(frozen=True)
class TlsPaths:
    """Where the TLS files of a broker state directory live."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        """The CA certificate (PEM), given to every client."""
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        """The CA private key; keep it off the broker host if you can."""
        return self.directory / "ca.key"

    @property
    def server_cert(self) -> Path:
        """The broker's certificate (PEM)."""
        return self.directory / "server.crt"

    @property
    def server_key(self) -> Path:
        """The broker's private key (PEM)."""
        return self.directory / "server.key"

    def client_cert(self, name: str) -> Path:
        """A client certificate for mutual TLS."""
        return self.directory / "clients" / f"{name}.crt"

    def client_key(self, name: str) -> Path:
        """A client certificate's private key."""
        return self.directory / "clients" / f"{name}.key"

    def has_server_identity(self) -> bool:
        """True when the CA and server certificate files are all present."""
        return all(p.exists() for p in (self.ca_cert, self.server_cert, self.server_key))


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sentinel"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def create_ca(paths: TlsPaths, *, common_name: str = "Sentinel local CA") -> x509.Certificate:
    """Create a self-signed CA (key and certificate), replacing any existing one."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = SystemClock().now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(paths.ca_key, _pem_key(key))
    write_private(paths.ca_cert, _pem_cert(cert), mode=0o644)
    return cert


def _load_ca(paths: TlsPaths) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    if not paths.ca_key.exists():
        raise FileNotFoundError(
            f"no CA key at {paths.ca_key}: create the local CA first (`tls ca`), or install "
            "certificates signed by your own CA as ca.crt/server.crt/server.key"
        )
    cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the CA key is not an EC key; issue certificates with your own tooling")
    return cert, key


def _subject_alt_names(hostnames: Sequence[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hostnames:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _issue(
    paths: TlsPaths,
    *,
    common_name: str,
    usage: x509.ObjectIdentifier,
    hostnames: Sequence[str] = (),
) -> tuple[bytes, bytes]:
    ca_cert, ca_key = _load_ca(paths)
    key = ec.generate_private_key(ec.SECP256R1())
    now = SystemClock().now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if hostnames:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(_subject_alt_names(hostnames)), critical=False
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    return _pem_cert(cert), _pem_key(key)


def issue_server_certificate(paths: TlsPaths, hostnames: Sequence[str]) -> None:
    """Issue the broker's certificate for `hostnames` (DNS names or IP addresses)."""
    if not hostnames:
        raise ValueError("name at least one hostname or IP address readers will connect to")
    cert, key = _issue(
        paths, common_name=hostnames[0], usage=ExtendedKeyUsageOID.SERVER_AUTH, hostnames=hostnames
    )
    write_private(paths.server_key, key)
    write_private(paths.server_cert, cert, mode=0o644)


def issue_client_certificate(paths: TlsPaths, name: str) -> tuple[Path, Path]:
    """Issue a client certificate whose common name is `name`; return (cert, key) paths."""
    cert, key = _issue(paths, common_name=name, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    write_private(paths.client_key(name), key)
    write_private(paths.client_cert(name), cert, mode=0o644)
    return paths.client_cert(name), paths.client_key(name)


def certificate_names(path: Path) -> list[str]:
    """Return the DNS names and IP addresses a PEM certificate is valid for."""
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(v) for v in san.get_values_for_type(x509.DNSName)] + [
        str(v) for v in san.get_values_for_type(x509.IPAddress)
    ]


def pem_to_der(pem: bytes) -> bytes:
    """Return the DER encoding of a PEM certificate (what the reader firmware loads)."""
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
