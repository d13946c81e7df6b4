"""How a request that got no answer failed: the reasons shown in findings, and whether the
server closed the exchange without an answer (nginx's ``return 444``), which the checks
read as an answer of its own (:attr:`golive.facts.live.Exchange.closed`)."""

from __future__ import annotations

import asyncio
import re

import httpx


def _causes(exc: BaseException) -> list[BaseException]:
    out, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def describe_error(exc: BaseException, timeout: float) -> str:
    """A one-line reason for a request that failed in transit (timed out, refused, an
    untrusted certificate...), from the exception and its causes."""
    if isinstance(exc, (asyncio.TimeoutError, httpx.TimeoutException)):
        return f"no answer within {timeout:g} s (timed out)"
    causes = _causes(exc)
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused (nothing listening)"
    text = "; ".join(dict.fromkeys(str(c) for c in causes if str(c))) or type(exc).__name__
    low = text.lower()
    if "certificate_verify_failed" in low or "certificate verify failed" in low:
        return "TLS certificate not trusted: " + text.rsplit("certificate verify failed:", 1)[-1].strip(" )")
    if "connection refused" in low or "errno 111" in low:
        return "connection refused (nothing listening)"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {text}"
    return f"{type(exc).__name__}: {text}"


def closed_without_answer(exc: httpx.RemoteProtocolError) -> bool:
    """Whether the server ended the exchange without an answer: the connection closed
    (HTTP/1.1), or the request's stream reset before any response (HTTP/2, RFC 9113 §6.4)."""
    text = str(exc)
    if "StreamReset" in text:  # REFUSED_STREAM (7) is no answer about the request (§8.7)
        return not re.search(r"error_code:(7|ErrorCodes\.REFUSED_STREAM)\b", text)
    return "without sending" in text or "disconnected" in text.lower()
