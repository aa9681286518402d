"""A throw-away certificate authority for the simulator's HTTPS listeners.

QRadar consoles usually present certificates from a private CA; clients are expected to trust
that CA (``verify=<bundle>``), never to switch verification off. The certificates produced here
follow the stricter X.509 rules newer Python versions enforce (``VERIFY_X509_STRICT``): key
usages, subject/authority key identifiers and a subjectAltName on the leaf.
"""

from __future__ import annotations

import datetime
import ipaddress
import itertools
import pathlib
import re
import threading
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_CA_VALIDITY = datetime.timedelta(days=365)
_LEAF_VALIDITY = datetime.timedelta(days=30)
_BACKDATE = datetime.timedelta(days=1)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "QRadar Simulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: pathlib.Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(data)


@dataclass(frozen=True)
class ServerCertificate:
    """PEM files of one leaf certificate and its private key, ready for ``load_cert_chain``."""

    cert_path: pathlib.Path
    key_path: pathlib.Path


class CertificateAuthority:
    """A self-signed CA that lives in one directory (``ca.pem`` and ``ca-key.pem``)."""

    def __init__(
        self,
        directory: pathlib.Path,
        key: ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate,
    ) -> None:
        self.directory = directory
        self._key = key
        self._certificate = certificate
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    @classmethod
    def create(cls, directory: pathlib.Path, common_name: str = "QRadar Simulator CA") -> CertificateAuthority:
        """Create a new CA in ``directory`` (created if missing) and write ``ca.pem``."""
        directory = pathlib.Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        name = _name(common_name)
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _BACKDATE)
            .not_valid_after(now + _CA_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256())
        )
        (directory / "ca.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        _write_private(
            directory / "ca-key.pem",
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        return cls(directory, key, certificate)

    @property
    def bundle_path(self) -> str:
        """Path of the CA certificate (PEM), suitable for ``requests``' ``verify=``."""
        return str(self.directory / "ca.pem")

    @property
    def certificate_pem(self) -> bytes:
        return self._certificate.public_bytes(serialization.Encoding.PEM)

    def issue_server_certificate(
        self,
        label: str = "server",
        hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
    ) -> ServerCertificate:
        """Issue a TLS server certificate for ``hosts`` (IP addresses or DNS names)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        alt_names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                alt_names.append(x509.DNSName(host))
        ca_ski = self._certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(hosts[0]))
            .issuer_name(self._certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _BACKDATE)
            .not_valid_after(now + _LEAF_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        with self._lock:
            number = next(self._counter)
        stem = f"server-{re.sub(r'[^A-Za-z0-9_.-]', '_', label)}-{number}"
        cert_path = self.directory / f"{stem}.pem"
        key_path = self.directory / f"{stem}-key.pem"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        _write_private(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        return ServerCertificate(cert_path=cert_path, key_path=key_path)

    def __repr__(self) -> str:
        return f"CertificateAuthority(directory={str(self.directory)!r})"
