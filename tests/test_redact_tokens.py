"""redact_text's token formats: only the formats whose markers a word holds are tried
(issue 15), with the same result as trying every format in table order.

The reference below is the redaction as it was before (every format's pattern substituted
in turn over each long word); the differential runs both over every format's positive and
near-miss case (tests/test_token_formats.py), their words, their values in other cases and
glued to each other, and random strings built from every marker and token alphabets.
No real-format token is written here: the cases build them at test time.
"""

from __future__ import annotations

import random
import string

import pytest
from test_token_formats import CASES

from golive.facts.secrets.token_formats import LOWER_MARKERS, MARKERS, TOKEN_FORMATS
from golive.redact import PLACEHOLDER, SHORTEST_TOKEN, redact_text


def every_format(text: str) -> str:
    """The reference: every format's pattern over every long word, in table order."""
    for word in {w for w in text.split() if len(w) >= SHORTEST_TOKEN}:
        redacted = word
        for token in TOKEN_FORMATS:
            redacted = token.pattern.sub(PLACEHOLDER, redacted)
        if redacted != word:
            text = text.replace(word, redacted)
    return text


def reference(text: str) -> str:
    """redact_text with the reference token step (the steps before it are unchanged)."""
    import golive.redact as redact

    saved = redact._redact_tokens
    redact._redact_tokens = every_format
    try:
        return redact._redact_text(text)
    finally:
        redact._redact_tokens = saved


def texts() -> list[str]:
    """Every case line, value and near miss; their words; variants in other cases; values
    glued together and to markers; random strings over markers and token alphabets."""
    rng = random.Random(15)
    built = [CASES[rule]() for rule in sorted(CASES)]
    out: list[str] = []
    for line, value, miss in built:
        for text in (line, value, miss):
            out += [text, text.upper(), text.lower(), text.swapcase(), f"--token={text}", f"X={text};"]
            out += text.split()
    values = [value for _, value, _ in built]
    out += ["".join(values), " ".join(values), "=".join(values), ":".join(rng.sample(values, len(values)))]
    out += [f"{a}{b}" for a, b in zip(values, values[1:])]
    alphabet = string.ascii_letters + string.digits + "_-./+=:@"
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 6)):
            pick = rng.random()
            if pick < 0.4:
                marker = rng.choice(MARKERS)
                parts.append(marker.upper() if marker in LOWER_MARKERS and rng.random() < 0.3 else marker)
            elif pick < 0.6:
                parts.append(rng.choice(values)[: rng.randint(5, 80)])
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))))
        out.append(rng.choice(("", " ", "=", "\t")).join(parts))
    return out


def test_no_marker_holds_the_placeholder() -> None:
    """A substitution joins the text around it with PLACEHOLDER: a marker without ``*`` can
    only appear in a redacted word if it was in the word, so the candidates stay valid."""
    assert not [m for m in MARKERS if "*" in m]


def test_every_format_standing_alone_is_redacted() -> None:
    """Each example value of a format that needs no name before it is hidden on its own (a
    name-bound format, ``aws_secret_access_key = ...``, spans words: the reference misses it
    as well, and the differential below holds it to the same result)."""
    by_rule = {fmt.rule: fmt for fmt in TOKEN_FORMATS}
    for rule in sorted(CASES):
        _, value, _ = CASES[rule]()
        if not by_rule[rule].name_bound:
            assert value not in redact_text(value), rule


@pytest.mark.parametrize("chunk", range(4))
def test_same_result_as_every_format(chunk: int) -> None:
    cases = texts()[chunk::4]
    assert len(cases) > 700
    wrong = [text for text in cases if redact_text(text) != reference(text)]
    assert wrong == []
