"""TLS handshakes with the standard library ``ssl``: chain, host name, expiry, key, protocols.

Four to five handshakes per ``host:port`` (no HTTP request is sent on them):

1. a verifying handshake (``--cacert``, else the system trust store; host name checked): the
   chain and the name are valid exactly when it succeeds (RFC 5280 path validation, RFC
   6125 name matching, both done by OpenSSL);
2. when it fails, a non-verifying handshake to read the certificate anyway;
3. one handshake pinned to TLSv1 and one pinned to TLSv1.1 (RFC 8996 deprecates both).
   OpenSSL's security level may forbid the client even to offer them, so these
   handshakes lower it (``@SECLEVEL=0``); when this OpenSSL cannot offer a version at
   all the result is ``untested`` with the reason, never a false "refused";
4. one TLS 1.2 handshake offering only RSA key transport suites (:func:`static_rsa`);
5. one TLS 1.2 handshake offering what a browser offers, forward-secret suites first and
   RSA key transport ones after them (:func:`browser_tls12`): whether a modern client that
   cannot use TLS 1.3 still gets forward secrecy.

The certificate's fields are read with ``cryptography`` (the standard library gives no
key size for an unverified certificate).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import socket
import ssl
import warnings
from pathlib import Path

from golive.collectors.live.client import ssl_context
from golive.facts.live import CertInfo, TlsFacts

LEGACY = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


def _handshake(
    ctx: ssl.SSLContext, host: str, address: str, port: int, timeout: float
) -> tuple[str | None, bytes | None, str | None]:
    """One handshake: (negotiated protocol, DER certificate, cipher suite name). Raises
    ssl/OS errors."""
    with _connect(address, port, timeout) as sock, ctx.wrap_socket(sock, server_hostname=host) as tls:
        cipher = tls.cipher()
        return tls.version(), tls.getpeercert(binary_form=True), cipher[0] if cipher else None


@functools.cache
def _unverified(
    minimum: ssl.TLSVersion | None = None, maximum: ssl.TLSVersion | None = None, ciphers: str = ""
) -> ssl.SSLContext:
    """A non-verifying client context offering ``minimum``..``maximum`` and ``ciphers`` (all
    three: OpenSSL's defaults when not given). Built once per process for each offer and
    shared by the handshakes' threads (each handshake is an ``SSLSocket`` of its own; a
    client context resumes no session unless one is passed, so no handshake changes
    another): about 0.1 ms of CPU each, five a site otherwise. Raises ``ValueError`` or
    ``ssl.SSLError`` when this OpenSSL cannot offer it (not kept: asked again, it fails again)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():  # the point of pinning TLSv1 and TLSv1.1 is to test them
        warnings.simplefilter("ignore", DeprecationWarning)
        if minimum is not None:
            ctx.minimum_version = minimum
        if maximum is not None:
            ctx.maximum_version = maximum
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def _name(name: object) -> str:
    try:
        return str(name.rfc4514_string())  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - malformed names
        return "?"


def cert_info(der: bytes, now: dt.datetime | None = None) -> CertInfo:
    """Describe a DER certificate (subject, issuer, validity, SANs, key type and size)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    cert = x509.load_der_x509_certificate(der)
    now = now or dt.datetime.now(dt.timezone.utc)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits = f"EC {key.curve.name}", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, bits = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, bits = "Ed448", 456
    else:
        key_type, bits = type(key).__name__, 0
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        san = tuple(str(v) for v in ext.value.get_values_for_type(x509.DNSName)) + tuple(
            str(v) for v in ext.value.get_values_for_type(x509.IPAddress)
        )
    except x509.ExtensionNotFound:
        san = ()
    not_after = cert.not_valid_after_utc
    return CertInfo(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=not_after.isoformat(),
        days_left=round((not_after - now).total_seconds() / 86400, 2),
        san=san,
        key_type=key_type,
        key_bits=bits,
        self_signed=cert.subject == cert.issuer,
        sha256=hashlib.sha256(der).hexdigest(),
    )


def _legacy(host: str, address: str, port: int, version: ssl.TLSVersion, timeout: float) -> str:
    """``accepted``, ``refused`` or ``untested: why`` for one pinned protocol version."""
    try:
        ctx = _unverified(version, version, "ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError) as exc:
        return f"untested: this OpenSSL cannot offer it ({exc})"
    return _offer(ctx, host, address, port, timeout)


def _offer(ctx: ssl.SSLContext, host: str, address: str, port: int, timeout: float) -> str:
    """Handshake with a client that offers only what ``ctx`` allows: ``accepted: CIPHER``,
    ``refused`` or ``untested: why``."""
    try:
        _, _, cipher = _handshake(ctx, host, address, port, timeout)
    except ssl.SSLError as exc:
        text = f"{exc.reason or exc}"
        if "NO_PROTOCOLS_AVAILABLE" in text.upper() or "NO_CIPHERS_AVAILABLE" in text.upper():
            return f"untested: this OpenSSL cannot offer it ({text})"
        return "refused"
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return "refused"
    except OSError as exc:
        return f"untested: {exc.strerror or exc}"
    return f"accepted: {cipher}" if cipher else "accepted"


def static_rsa(host: str, port: int, address: str | None, *, timeout: float) -> str:
    """A TLS 1.2 handshake offering only cipher suites with RSA key transport (OpenSSL's
    ``kRSA``: no forward secrecy; RFC 9325 §4.1 "SHOULD NOT negotiate cipher suites
    based on RSA key transport"): ``accepted: CIPHER``, ``refused`` or ``untested: why``.
    """
    try:  # TLS 1.2 at most: TLS 1.3 has no RSA key transport
        ctx = _unverified(None, ssl.TLSVersion.TLSv1_2, "kRSA:@SECLEVEL=0")
    except (ValueError, ssl.SSLError) as exc:
        return f"untested: this OpenSSL cannot offer them ({exc})"
    return _offer(ctx, host, address or host, port, timeout)


#: A browser's TLS 1.2 offer, in its order (Chrome and Firefox: ECDHE AEAD suites, then the
#: RSA key transport ones they still send for old servers).
BROWSER_TLS12 = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA"
)


def browser_tls12(host: str, port: int, address: str | None, *, timeout: float) -> str:
    """A TLS 1.2 handshake offering :data:`BROWSER_TLS12`: ``accepted: CIPHER`` (the suite the
    server chose: a ``kRSA`` one means a modern client gets no forward secrecy), ``refused`` or
    ``untested: why``."""
    try:
        ctx = _unverified(None, ssl.TLSVersion.TLSv1_2, BROWSER_TLS12 + ":@SECLEVEL=0")
    except (ValueError, ssl.SSLError) as exc:
        return f"untested: this OpenSSL cannot offer them ({exc})"
    return _offer(ctx, host, address or host, port, timeout)


def legacy_version(host: str, port: int, address: str | None, name: str, *, timeout: float) -> str:
    """Handshake 3 for one of :data:`LEGACY` (``TLSv1``): ``accepted``, ``refused`` or ``untested: why``."""
    return _legacy(host, address or host, port, LEGACY[name], timeout)


def verify_handshake(
    host: str, port: int, address: str | None, *, cacert: Path | None, timeout: float
) -> tuple[TlsFacts, bytes | None]:
    """Handshakes 1 and 2 of the module docstring: the facts without ``cert`` (nor the other
    handshakes), and the DER certificate for :func:`cert_info`, None when no handshake
    succeeded. Never raises: ``address`` is where to connect (``--resolve``), default
    ``host``; a certificate file that cannot be read, a refused connection or a failed
    handshake end up in ``error``."""
    addr = address or host
    facts = TlsFacts(host=host, port=port, address=addr)
    try:
        ctx = ssl_context(cacert)
    except (OSError, ssl.SSLError) as exc:
        return _with(facts, error=f"--cacert {cacert}: cannot load it: {exc}"), None
    der: bytes | None = None
    verified, verify_error, verify_code, protocol, cipher = False, None, None, None, None
    try:
        protocol, der, cipher = _handshake(ctx, host, addr, port, timeout)
        verified = True
    except ssl.SSLCertVerificationError as exc:
        verify_error, verify_code = exc.verify_message or str(exc), exc.verify_code
    except ssl.SSLError as exc:
        verify_error = f"{exc.reason or exc}"
    except TimeoutError:
        return _with(facts, error=f"TLS handshake with {host}:{port} timed out after {timeout:g} s"), None
    except OSError as exc:
        return _with(facts, error=f"cannot connect to {host}:{port}: {exc.strerror or exc}"), None
    if der is None:
        try:
            protocol, der, cipher = _handshake(_unverified(), host, addr, port, timeout)
        except (OSError, ssl.SSLError) as exc:
            return _with(facts, verify_error=verify_error, error=f"TLS handshake failed: {exc}"), None
    checked = _with(
        facts,
        verified=verified,
        verify_error=verify_error,
        verify_code=verify_code,
        protocol=protocol,
        cipher=cipher,
    )
    return checked, der


async def verify(
    host: str, port: int, address: str | None, *, cacert: Path | None, timeout: float
) -> tuple[TlsFacts, bytes | None]:
    """:func:`verify_handshake` in a thread of its own."""
    return await asyncio.to_thread(verify_handshake, host, port, address, cacert=cacert, timeout=timeout)


async def offers(
    host: str, port: int, address: str | None, *, timeout: float
) -> tuple[str, str, dict[str, str]]:
    """Handshakes 3 to 5, each in a thread of its own, all at once: (:func:`static_rsa`,
    :func:`browser_tls12`, ``{version: outcome}`` of :func:`legacy_version`)."""
    rsa, browser, *versions = await asyncio.gather(
        asyncio.to_thread(static_rsa, host, port, address, timeout=timeout),
        asyncio.to_thread(browser_tls12, host, port, address, timeout=timeout),
        *(asyncio.to_thread(legacy_version, host, port, address, n, timeout=timeout) for n in LEGACY),
    )
    return str(rsa), str(browser), dict(zip(LEGACY, map(str, versions), strict=True))


def _with(facts: TlsFacts, **changes: object) -> TlsFacts:
    from msgspec.structs import replace

    return replace(facts, **changes)
