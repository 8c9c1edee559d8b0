"""Signatures on what the processor sends (docs/api.md, "Signatures"): RSA PKCS#1 v1.5 with
SHA-256 over the raw body bytes, Base64 in ``X-OpenDSR-Signature`` (``X-OpenGDPR-Signature``
on v1), next to ``X-OpenDSR-Processor-Domain``. The key pair and certificate come from files
(``PORTAL_OPENDSR_KEY_FILE``, ``PORTAL_OPENDSR_CERT_FILE``); development makes a self-signed
pair once for the host of the base URL (``ensure_development_pair``)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

__all__ = [
    "Signer",
    "configured_signer",
    "ensure_development_pair",
    "load_signer",
    "processor_domain",
    "verify",
]


def processor_domain(base_url: str) -> str:
    """The processor domain is the host of the portal's base URL (no port)."""
    return (urlsplit(base_url).hostname or "localhost").lower()


@dataclass(frozen=True)
class Signer:
    private_key: rsa.RSAPrivateKey
    certificate_pem: bytes

    def sign(self, body: bytes) -> str:
        signature = self.private_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


def load_signer(key_file: str | Path, cert_file: str | Path) -> Signer:
    key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise ValueError("PORTAL_OPENDSR_KEY_FILE must hold an RSA key of 2048 bits or more")
    cert_pem = Path(cert_file).read_bytes()
    x509.load_pem_x509_certificate(cert_pem)  # refuse a file that is not a certificate
    return Signer(key, cert_pem)


def verify(certificate_pem: bytes, body: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` is a signature of ``body`` by the certificate's key (RSA
    PKCS#1 v1.5 or ECDSA, chosen by the key type, both with SHA-256)."""
    public_key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, body, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def ensure_development_pair(folder: Path, host: str, *, now: datetime | None = None) -> Signer:
    """Load, or make once, a self-signed RSA-2048 pair for ``host`` in ``folder``
    (``opendsr-key.pem``, ``opendsr-cert.pem``). Development and tests only: production
    configures a CA-issued certificate."""
    key_path, cert_path = folder / "opendsr-key.pem", folder / "opendsr-cert.pem"
    if key_path.exists() and cert_path.exists():
        return load_signer(key_path, cert_path)
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    start = (now or datetime.now(UTC)) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return load_signer(key_path, cert_path)


def configured_signer(
    key_file: str | None,
    cert_file: str | None,
    *,
    development: bool,
    instance_path: str | Path,
    base_url: str,
) -> Signer:
    """The configured pair; without one, in development and test only, the self-signed pair
    made once in the instance folder for the processor domain. The web edge and the worker
    both load it through here."""
    if key_file and cert_file:
        return load_signer(key_file, cert_file)
    if not development:
        raise RuntimeError("PORTAL_OPENDSR_KEY_FILE and PORTAL_OPENDSR_CERT_FILE are not set")
    return ensure_development_pair(Path(instance_path), processor_domain(base_url))
