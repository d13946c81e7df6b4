"""redact_text's token formats: only the formats whose markers a word holds are tried
(issue 15), with the same result as trying every format in table order.

The reference below is the redaction as it was before (every format's pattern substituted
in turn over each long word); the differential runs both over every format's positive and
near-miss case (tests/test_token_formats.py), their words, their values in other cases and
glued to each other, and random strings built from every marker and token alphabets.
No real-format token is written here: the cases build them at test time.
"""

from __future__ import annotations

import itertools
import random
import string
from re import _constants as C
from re import _parser as sre_parse  # the stdlib's own parse tree: what re compiles

import pytest
from test_token_formats import CASES

from golive.facts.secrets.token_formats import LOWER_MARKERS, MARKERS, TOKEN_FORMATS, UNMARKED_RULES
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
    out += [f"{a}{b}" for a, b in itertools.pairwise(values)]
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


# -- the proof that a format's every match holds one of its markers ----------------------

#: Largest set of fixed strings followed through a pattern.
LIMIT = 256
#: Letters that re.IGNORECASE matches with a character whose lower case does not hold them
#: (``ſ`` for ``s``, ``İ`` lowers to ``i`` plus a combining dot, breaking ``is``...).
UNSAFE_FOLDED = set("is")


def fixed(items: list) -> set[str] | None:
    """Every string a piece of pattern can match, when it is a small finite set; else None."""
    out = {""}
    for op, av in items:
        if op is C.LITERAL:
            alts: set[str] | None = {chr(av)}
        elif op is C.IN and all(o is C.LITERAL for o, _ in av):
            alts = {chr(a) for _, a in av}
        elif op is C.SUBPATTERN and not (av[1] | av[2]):
            alts = fixed(av[3])
        elif op is C.MAX_REPEAT and av[0] == av[1] <= 64:
            body = fixed(av[2])
            alts = {next(iter(body)) * av[0]} if body is not None and len(body) == 1 else None
        elif op is C.BRANCH:
            alts = set()
            for branch in av[1]:
                got = fixed(branch)
                if got is None:
                    return None
                alts |= got
        else:
            return None
        if alts is None:
            return None
        out = {a + b for a in out for b in alts}
        if len(out) > LIMIT:
            return None
    return out


def covers(items: list, folded: bool, prefix: frozenset[str] = frozenset({""})) -> list:
    """Covers of a sequence: each is ``(strings, folded)``, every match holding one of the
    strings (matched case-insensitively when folded), or ``("BRANCH", [covers of each
    branch])``. ``prefix``: the strings one of which the match holds just before ``items``."""
    found: list = []
    run = set(prefix)
    for op, av in items:
        got = fixed([(op, av)])
        if got is not None and len(run) * len(got) <= LIMIT:
            run = {a + b for a in run for b in got}
            continue
        before = frozenset(run)
        if run != {""} and op is not C.BRANCH:
            found.append((run, folded))
        run = {""}
        if op is C.SUBPATTERN:
            _, add, delete, sub = av
            inner = (folded or bool(add & C.SRE_FLAG_IGNORECASE)) and not delete & C.SRE_FLAG_IGNORECASE
            found += covers(sub, inner)
        elif op is C.BRANCH:
            branches = [covers(b, folded, before) for b in av[1]]
            if all(branches):
                found.append(("BRANCH", branches))
            elif before != {""}:
                found.append((set(before), folded))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            body = fixed(av[2])
            if body is not None and len(body) == 1 and av[0] <= 64:
                found.append(({next(iter(body)) * av[0]}, folded))
            found += covers(av[2], folded)
    if run != {""}:
        found.append((run, folded))
    return found


def holds_marker(text: str, folded: bool, markers: tuple[str, ...]) -> bool:
    """True when a match of ``text`` holds a marker as :func:`candidates` looks for it."""
    for marker in markers:
        if marker == marker.lower():
            if marker in text.lower() and not (folded and UNSAFE_FOLDED & set(marker)):
                return True
        elif not folded and marker in text:
            return True
    return False


def cover_holds(cover: tuple, markers: tuple[str, ...]) -> bool:
    if cover[0] == "BRANCH":
        return all(any(cover_holds(c, markers) for c in branch) for branch in cover[1])
    strings, folded = cover
    return all(holds_marker(s, folded, markers) for s in strings)


def always_marked(source: str, markers: tuple[str, ...]) -> bool:
    """True when every match of ``source`` provably holds one of ``markers``."""
    parsed = sre_parse.parse(source)
    folded = bool(parsed.state.flags & C.SRE_FLAG_IGNORECASE)
    return any(cover_holds(c, markers) for c in covers(list(parsed), folded))


def test_the_proof_is_not_vacuous() -> None:
    assert always_marked(r"(?<![a-z])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10}", ("k_live_", "k_test_"))
    assert not always_marked(r"(?:sk|rk)_(?:live|best)_[A-Za-z0-9]{10}", ("k_live_", "k_test_"))
    assert always_marked(r"(?:ghp_[A-Z]{36}|github_pat_[A-Z_]{82})", ("ghp_", "github_pat_"))
    assert not always_marked(r"fm[12][ar]?_[A-Za-z0-9]{100}", ("fm1", "fm2_"))
    assert not always_marked(r"pat[A-Za-z0-9]{14}", ("airtable", "token"))
    assert not always_marked(r"(?i:secret)=[a-z]{40}", ("secret",))
    assert always_marked(r"(?i:datadog_api_key)=[a-f0-9]{32}", ("key",))
    assert always_marked(r"A{22}[A-Za-z0-9%]{80,100}", ("AAAAAAAAAA",))


def test_unmarked_rules_are_the_formats_without_proof() -> None:
    """The formats redact_text tries on every word are exactly those whose every match
    cannot be shown to hold a marker; any other is tried only where a marker is."""
    unproven = {fmt.rule for fmt in TOKEN_FORMATS if not always_marked(fmt.source, fmt.markers)}
    assert unproven == set(UNMARKED_RULES)


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
