"""Vendor token formats: the credentials a Django team meets, as data.

Each row of :data:`TOKEN_FORMATS` is one published credential shape: a rule id, a label,
the pattern, its public prefix (the part that may be shown: ``sk_live_``), the source the
pattern follows (the vendor's documentation of the format, or the well-known scanner rule
it is taken from: gitleaks' default configuration, https://github.com/gitleaks/gitleaks/blob/master/config/gitleaks.toml,
or a detect-secrets plugin, https://github.com/Yelp/detect-secrets/tree/master/detect_secrets/plugins),
and its *markers*: literal substrings one of which every match holds, so that the scanners
look at a line (or a block of ``git log -p``) only when one is there. A marker written in
lower case is looked for case-insensitively, one with a capital letter as it is.

A few credentials have no prefix of their own (an AWS secret access key is 40 base64
characters, a Datadog API key 32 hex digits): their rows match the value only after a
name that says what it is (``aws_secret_access_key = ...``), and the value alone is kept
(the ``v`` group), so that its fingerprint equals the one of the value Django loads.
A JWT counts only when it is usable as a credential (:func:`jwt_is_credential`).

Why a table here rather than a library: detect-secrets (Yelp, the test dependency, last
release 1.5.0 in May 2024) ships about 25 detectors, each its own plugin class run line by
line with its own regular expressions, and lacks most of the formats below (Anthropic,
Hugging Face, Sentry, New Relic, Datadog, Postmark, DigitalOcean, Docker Hub, ...);
ggshield sends the text to GitGuardian's API (not in-process); trufflehog's Python
package stopped in 2021. The rows below follow gitleaks' rules where it has one (cited by
rule id) and the vendor's page otherwise.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from msgspec import Struct

if TYPE_CHECKING:
    import re2

GITLEAKS = "https://github.com/gitleaks/gitleaks/blob/master/config/gitleaks.toml"
DETECT_SECRETS = "https://github.com/Yelp/detect-secrets/tree/master/detect_secrets/plugins"


class TokenFormat(Struct, frozen=True, dict=True):
    """A vendor's credential format.

    ``source`` is the regular expression of the credential (and, for formats without a
    prefix of their own, the name before it: then its group ``v`` is the credential);
    ``prefix_source`` the one of the public part that may be shown (matched at the start of
    the value: ``sk_live_``; never matches for name-bound formats); :attr:`pattern` and
    :attr:`prefix` are them compiled, on first use (issue 15: compiling the ~180 expressions
    of the table cost every command about 8 ms at import, and a scan compiles only the
    formats whose markers it meets). ``reference`` is the vendor's documentation of the
    format or the scanner rule it follows; ``category`` groups the rows (``cloud``,
    ``payment``, ...); ``markers`` are literal substrings one of which every match holds;
    ``check`` (optional) keeps a match only when it returns True.
    """

    rule: str
    label: str
    source: str
    prefix_source: str
    reference: str
    category: str = ""
    markers: tuple[str, ...] = ()
    check: Callable[[str], bool] | None = None

    # cached_property writes the instance's __dict__ (dict=True: a frozen Struct allows it); two
    # threads meeting a format first at once compile the same expression twice, and either
    # result is the same pattern (re.compile is pure), so the race is harmless
    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """:attr:`source` compiled (once, on first use)."""
        return re.compile(self.source)

    @cached_property
    def prefix(self) -> re.Pattern[str]:
        """:attr:`prefix_source` compiled (once, on first use)."""
        return re.compile(self.prefix_source)

    @property
    def name_bound(self) -> bool:
        """True when the credential is the ``v`` group after a name (no prefix of its own)."""
        return "(?P<v>" in self.source

    def value(self, matched: str) -> str:
        """The credential inside ``matched`` (a match of :attr:`pattern`): its ``v`` group, else all of it."""
        if not self.name_bound:
            return matched
        m = self.pattern.search(matched)
        return m.group("v") if m else matched


#: Word boundaries for token bodies: not preceded or followed by a word character (or a dash).
_B = r"(?<![A-Za-z0-9_])"
_E = r"(?![A-Za-z0-9_])"
_BD = r"(?<![A-Za-z0-9_-])"
_ED = r"(?![A-Za-z0-9_-])"
#: Between a name and its value: ``= "``, ``: '``, ``=> "``, ``" : "``.
_TO = r"""["']?\s*(?:=|:|:=|=>)\s*[`"']?"""


def _fmt(
    rule: str,
    label: str,
    pattern: str,
    prefix: str,
    reference: str,
    category: str,
    markers: tuple[str, ...],
    check: Callable[[str], bool] | None = None,
) -> TokenFormat:
    return TokenFormat(rule, label, pattern, prefix, reference, category, markers, check)


def _named(name: str, value: str) -> str:
    """A name (case-insensitive regular expression) then the value in group ``v``."""
    return rf"(?i:{name})\w*{_TO}(?P<v>{value})"


_NEVER = r"(?!x)x"

_JWT_SECRET_KEYS = re.compile(r"pass|secret|private|api_?key|credential|token", re.IGNORECASE)
#: The example token on https://jwt.io (and in countless tutorials).
_JWT_EXAMPLE_SUBJECT = "1234567890"


def _b64json(part: str) -> object:
    padded = part + "=" * (-len(part) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def jwt_is_credential(token: str, now: float | None = None) -> bool:
    """True when a JWT can be used as a credential: its header names an algorithm other than
    ``none``, and its payload never expires (no ``exp``) or has not expired yet, or carries
    a secret (a password, secret, private key or API key claim) or a service role
    (``"role": "service_role"``, Supabase's server key). jwt.io's example token (subject
    ``1234567890``) is left out. RFC 7519 (https://www.rfc-editor.org/rfc/rfc7519).
    """
    parts = token.split(".")
    if len(parts) < 2:
        return False
    header, payload = _b64json(parts[0]), _b64json(parts[1])
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    if str(header.get("alg", "")).lower() in ("", "none"):
        return False
    if str(payload.get("sub", "")) == _JWT_EXAMPLE_SUBJECT:
        return False
    if any(_JWT_SECRET_KEYS.search(str(k)) for k in payload) or payload.get("role") == "service_role":
        return True
    exp = payload.get("exp")
    if exp is None:
        return True
    try:
        return float(exp) > (time.time() if now is None else now)
    except (TypeError, ValueError):
        return False


_AWS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids"

#: Every vendor token format, most specific first (the combined expression tries them in order).
TOKEN_FORMATS: tuple[TokenFormat, ...] = (
    # -- cloud ------------------------------------------------------------------------------
    _fmt(
        "aws-access-key-id",
        "AWS access key id",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
        r"AKIA|ASIA|ABIA|ACCA",
        _AWS,
        "cloud",
        ("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    _fmt(
        "aws-secret-access-key",
        "AWS secret access key",
        _named(r"aws_?secret_?(?:access_?)?key|secret_?access_?key", r"[A-Za-z0-9/+]{40}")
        + r"(?![A-Za-z0-9/+=])",
        _NEVER,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        "cloud",
        ("secret",),
    ),
    _fmt(
        "aws-ses-smtp-password",
        "Amazon SES SMTP password",
        _named(r"(?:ses|smtp|email_host)_?(?:smtp_?)?pass(?:word)?", r"B[A-Za-z0-9/+]{43}")
        + r"(?![A-Za-z0-9/+=])",
        _NEVER,
        "https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html",
        "mail",
        ("pass",),
    ),
    _fmt(
        "aws-bedrock-api-key",
        "Amazon Bedrock API key",
        _B + r"ABSK[A-Za-z0-9+/]{109,269}={0,2}(?![A-Za-z0-9+/=])",
        r"ABSK",
        GITLEAKS + " (aws-amazon-bedrock-api-key-long-lived)",
        "cloud",
        ("ABSK",),
    ),
    _fmt(
        "gcp-service-account-key",
        "Google Cloud service account key file",
        r'"private_key_id"\s*:\s*"(?P<v>[a-f0-9]{40})"',
        _NEVER,
        "https://cloud.google.com/iam/docs/keys-create-delete#creating",
        "cloud",
        ("private_key_id",),
    ),
    _fmt(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        _BD + r"GOCSPX-[A-Za-z0-9_-]{28}" + _ED,
        r"GOCSPX-",
        "https://developers.google.com/identity/protocols/oauth2/resources/best-practices#secure-credentials",
        "cloud",
        ("GOCSPX-",),
    ),
    _fmt(
        "google-api-key",
        "Google API key",
        r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])",
        r"AIza",
        "https://cloud.google.com/docs/authentication/api-keys",
        "cloud",
        ("AIza",),
    ),
    _fmt(
        "azure-storage-account-key",
        "Azure storage account key",
        r"AccountKey=(?P<v>[A-Za-z0-9+/]{86}==)",
        _NEVER,
        "https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string",
        "cloud",
        ("AccountKey=",),
    ),
    _fmt(
        "azure-shared-access-key",
        "Azure shared access key (Service Bus, Event Hubs connection string)",
        r"SharedAccessKey=(?P<v>[A-Za-z0-9+/]{43}=)",
        _NEVER,
        "https://learn.microsoft.com/en-us/azure/service-bus-messaging/service-bus-sas",
        "cloud",
        ("SharedAccessKey=",),
    ),
    _fmt(
        "azure-ad-client-secret",
        "Microsoft Entra (Azure AD) client secret",
        r"(?<![A-Za-z0-9_~.-])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        _NEVER,
        GITLEAKS + " (azure-ad-client-secret)",
        "cloud",
        ("Q~",),
    ),
    _fmt(
        "digitalocean-token",
        "DigitalOcean token",
        _B + r"do[opr]_v1_[a-f0-9]{64}" + _E,
        r"do[opr]_v1_",
        "https://docs.digitalocean.com/reference/api/create-personal-access-token/",
        "cloud",
        ("dop_v1_", "doo_v1_", "dor_v1_"),
    ),
    _fmt(
        "heroku-api-key",
        "Heroku API key",
        _BD + r"HRKU-AA[0-9a-zA-Z_-]{58}" + _ED,
        r"HRKU-",
        GITLEAKS + " (heroku-api-key-v2)",
        "cloud",
        ("HRKU-",),
    ),
    _fmt(
        "alibaba-access-key-id",
        "Alibaba Cloud AccessKey ID",
        _B + r"LTAI[A-Za-z0-9]{20}" + _E,
        r"LTAI",
        GITLEAKS + " (alibaba-access-key-id)",
        "cloud",
        ("LTAI",),
    ),
    _fmt(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        _B + r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}" + _E,
        r"v1\.0-",
        GITLEAKS + " (cloudflare-origin-ca-key)",
        "cloud",
        ("v1.0-",),
    ),
    _fmt(
        "flyio-token",
        "Fly.io access token",
        _B + r"(?:fo1_[\w-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})(?![A-Za-z0-9+/=_-])",
        r"fo1_|fm[12][ar]?_",
        GITLEAKS + " (flyio-access-token)",
        "cloud",
        ("fo1_", "fm1", "fm2"),
    ),
    _fmt(
        "terraform-cloud-token",
        "HashiCorp Terraform Cloud API token",
        _B + r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}" + _ED,
        _NEVER,
        GITLEAKS + " (hashicorp-tf-api-token)",
        "cloud",
        (".atlasv1.",),
    ),
    _fmt(
        "vault-token",
        "HashiCorp Vault token",
        _B + r"hv[sb]\.[\w-]{90,300}" + _ED,
        r"hv[sb]\.",
        "https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes",
        "cloud",
        ("hvs.", "hvb."),
    ),
    _fmt(
        "doppler-token",
        "Doppler API token",
        _B + r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}" + _E,
        r"dp\.\w+\.",
        "https://docs.doppler.com/reference/auth-token-formats",
        "cloud",
        ("dp.",),
    ),
    _fmt(
        "onepassword-service-account-token",
        "1Password service account token",
        _B + r"ops_eyJ[A-Za-z0-9+/]{250,}={0,3}",
        r"ops_",
        GITLEAKS + " (1password-service-account-token)",
        "cloud",
        ("ops_eyJ",),
    ),
    _fmt(
        "databricks-token",
        "Databricks personal access token",
        _B + r"dapi[a-f0-9]{32}(?:-\d)?" + _E,
        r"dapi",
        GITLEAKS + " (databricks-api-token)",
        "cloud",
        ("dapi",),
    ),
    _fmt(
        "pulumi-token",
        "Pulumi access token",
        _B + r"pul-[a-f0-9]{40}" + _E,
        r"pul-",
        GITLEAKS + " (pulumi-api-token)",
        "cloud",
        ("pul-",),
    ),
    _fmt(
        "tailscale-key",
        "Tailscale key",
        _B + r"tskey-(?:api|auth|client|webhook|scim)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{20,}" + _E,
        r"tskey-\w+-",
        "https://tailscale.com/kb/1277/key-prefixes",
        "cloud",
        ("tskey-",),
    ),
    _fmt(
        "planetscale-token",
        "PlanetScale token or password",
        _B + r"pscale_(?:tkn|pw|oauth)_[\w=.-]{32,64}" + _ED,
        r"pscale_\w+?_",
        GITLEAKS + " (planetscale-api-token, planetscale-password, planetscale-oauth-token)",
        "database",
        ("pscale_",),
    ),
    _fmt(
        "supabase-token",
        "Supabase access token or secret key",
        _B + r"(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,})" + _ED,
        r"sbp_|sb_secret_",
        "https://supabase.com/docs/guides/api/api-keys",
        "database",
        ("sbp_", "sb_secret_"),
    ),
    # -- payment ----------------------------------------------------------------------------
    _fmt(
        "stripe-secret-key",
        "Stripe secret key",
        r"(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])",
        r"(?:sk|rk)_(?:live|test)_",
        "https://docs.stripe.com/keys",
        "payment",
        ("k_live_", "k_test_"),
    ),
    _fmt(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        _B + r"whsec_[A-Za-z0-9]{32,}" + _E,
        r"whsec_",
        "https://docs.stripe.com/webhooks#verify-official-libraries",
        "payment",
        ("whsec_",),
    ),
    _fmt(
        "braintree-access-token",
        "PayPal Braintree access token",
        r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}" + _E,
        r"access_token\$\w+\$",
        "https://github.com/dxa4481/truffleHogRegexes/blob/master/truffleHogRegexes/regexes.json",
        "payment",
        ("access_token$",),
    ),
    _fmt(
        "square-token",
        "Square access token or OAuth secret",
        _BD + r"(?:EAAA[\w-]{60}|sq0atp-[\w-]{22}|sq0csp-[\w-]{43})" + _ED,
        r"EAAA|sq0atp-|sq0csp-",
        GITLEAKS + " (square-access-token); " + DETECT_SECRETS + "/square_oauth.py",
        "payment",
        ("EAAA", "sq0atp-", "sq0csp-"),
    ),
    _fmt(
        "shopify-token",
        "Shopify access token or shared secret",
        _B + r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + _E,
        r"shp(?:at|ca|pa|ss)_",
        GITLEAKS + " (shopify-access-token, -custom-access-token, -private-app-access-token, -shared-secret)",
        "payment",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    _fmt(
        "flutterwave-secret-key",
        "Flutterwave secret key",
        _B + r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X" + _E,
        r"FLWSECK(?:_TEST)?-",
        GITLEAKS + " (flutterwave-secret-key)",
        "payment",
        ("FLWSECK",),
    ),
    _fmt(
        "shippo-token",
        "Shippo API token",
        _B + r"shippo_(?:live|test)_[a-fA-F0-9]{40}" + _E,
        r"shippo_(?:live|test)_",
        GITLEAKS + " (shippo-api-token)",
        "payment",
        ("shippo_",),
    ),
    _fmt(
        "easypost-api-key",
        "EasyPost API key",
        _B + r"EZ[AT]K[A-Za-z0-9]{54}" + _E,
        r"EZ[AT]K",
        GITLEAKS + " (easypost-api-token)",
        "payment",
        ("EZAK", "EZTK"),
    ),
    _fmt(
        "plaid-access-token",
        "Plaid access token",
        _B
        + r"access-(?:sandbox|development|production)-"
        + r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        + _E,
        r"access-\w+-",
        GITLEAKS + " (plaid-api-token)",
        "payment",
        ("access-sandbox-", "access-development-", "access-production-"),
    ),
    # -- mail -------------------------------------------------------------------------------
    _fmt(
        "sendgrid-api-key",
        "SendGrid API key",
        r"(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
        r"SG\.",
        "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
        "mail",
        ("SG.",),
    ),
    _fmt(
        "mailgun-api-key",
        "Mailgun private API key",
        _BD + r"key-[a-f0-9]{32}" + _ED,
        r"key-",
        GITLEAKS + " (mailgun-private-api-token)",
        "mail",
        ("key-",),
    ),
    _fmt(
        "mailchimp-api-key",
        "Mailchimp API key",
        _B + r"[0-9a-f]{32}-us[0-9]{1,2}" + _E,
        _NEVER,
        "https://mailchimp.com/developer/marketing/guides/quick-start/#generate-your-api-key; "
        + DETECT_SECRETS
        + "/mailchimp.py",
        "mail",
        ("-us",),
    ),
    _fmt(
        "postmark-server-token",
        "Postmark server token",
        _named(r"postmark\w*(?:token|key)", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        + _E,
        _NEVER,
        "https://postmarkapp.com/developer/api/overview#authentication",
        "mail",
        ("postmark",),
    ),
    _fmt(
        "brevo-api-key",
        "Brevo (Sendinblue) API key",
        _B + r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}" + _E,
        r"xkeysib-",
        GITLEAKS + " (sendinblue-api-token)",
        "mail",
        ("xkeysib-",),
    ),
    # -- messaging --------------------------------------------------------------------------
    _fmt(
        "slack-token",
        "Slack token",
        r"(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9-]{10,250}",
        r"xox[abposre]-",
        "https://api.slack.com/authentication/token-types",
        "messaging",
        ("xox",),
    ),
    _fmt(
        "slack-app-token",
        "Slack app-level token",
        _B + r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,}" + _E,
        r"xapp-",
        "https://api.slack.com/authentication/token-types#app-level",
        "messaging",
        ("xapp-",),
    ),
    _fmt(
        "slack-webhook",
        "Slack incoming webhook URL",
        r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{16,}",
        r"https://hooks\.slack\.com/services/",
        "https://api.slack.com/messaging/webhooks",
        "messaging",
        ("hooks.slack",),
    ),
    _fmt(
        "slack-workflow-webhook",
        "Slack workflow webhook URL",
        r"https://hooks\.slack\.com/(?:workflows|triggers)/T[A-Za-z0-9]+/[A-Za-z0-9]+/[0-9]+/[A-Za-z0-9]{16,}",
        r"https://hooks\.slack\.com/(?:workflows|triggers)/",
        GITLEAKS + " (slack-webhook-url)",
        "messaging",
        ("hooks.slack",),
    ),
    _fmt(
        "twilio-api-key",
        "Twilio API key SID",
        _B + r"SK[0-9a-fA-F]{32}" + _E,
        r"SK",
        GITLEAKS + " (twilio-api-key); " + DETECT_SECRETS + "/twilio.py",
        "messaging",
        ("key", "twilio", "sid"),
    ),
    _fmt(
        "twilio-auth-token",
        "Twilio auth token",
        _named(r"twilio\w*(?:auth_?)?token", r"[a-f0-9]{32}") + _E,
        _NEVER,
        "https://www.twilio.com/docs/iam/api/authtoken",
        "messaging",
        ("twilio",),
    ),
    _fmt(
        "telegram-bot-token",
        "Telegram bot token",
        r"(?<![0-9A-Za-z_-])[0-9]{8,10}:AA[0-9A-Za-z_-]{33}(?![0-9A-Za-z_-])",
        _NEVER,
        "https://core.telegram.org/bots/api#authorizing-your-bot; " + DETECT_SECRETS + "/telegram_token.py",
        "messaging",
        (":AA",),
    ),
    _fmt(
        "discord-bot-token",
        "Discord bot token",
        r"(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_-])",
        _NEVER,
        DETECT_SECRETS + "/discord.py",
        "messaging",
        ("token", "discord"),
    ),
    _fmt(
        "discord-webhook",
        "Discord webhook URL",
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}",
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/",
        "https://discord.com/developers/docs/resources/webhook#execute-webhook",
        "messaging",
        ("discord",),
    ),
    _fmt(
        "teams-webhook",
        "Microsoft Teams incoming webhook URL",
        r"https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/[a-z0-9-]{36}@[a-z0-9-]{36}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9-]{36}",
        r"https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/",
        GITLEAKS + " (microsoft-teams-webhook)",
        "messaging",
        ("webhook.office.com",),
    ),
    # -- code hosting, registries, CI -------------------------------------------------------
    _fmt(
        "github-token",
        "GitHub personal access token",
        r"(?<![A-Za-z0-9_])(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])",
        r"ghp_|github_pat_",
        "https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/",
        "code",
        ("ghp_", "github_pat_"),
    ),
    _fmt(
        "github-oauth-token",
        "GitHub OAuth access token",
        _B + r"gho_[A-Za-z0-9]{36}" + _E,
        r"gho_",
        "https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/",
        "code",
        ("gho_",),
    ),
    _fmt(
        "github-app-token",
        "GitHub App token",
        _B + r"gh[us]_[A-Za-z0-9]{36}" + _E,
        r"gh[us]_",
        "https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/",
        "code",
        ("ghu_", "ghs_"),
    ),
    _fmt(
        "github-refresh-token",
        "GitHub refresh token",
        _B + r"ghr_[A-Za-z0-9]{36,76}" + _E,
        r"ghr_",
        "https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/",
        "code",
        ("ghr_",),
    ),
    _fmt(
        "gitlab-token",
        "GitLab personal access token",
        r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}",
        r"glpat-",
        "https://docs.gitlab.com/ee/security/tokens/",
        "code",
        ("glpat-",),
    ),
    _fmt(
        "gitlab-ci-token",
        "GitLab deploy, runner, trigger or CI token",
        _BD
        + r"(?:gldt-[\w-]{20,}|glrt-[\w.-]{20,}|glptt-[0-9a-f]{40}"
        + r"|glcbt-[0-9a-zA-Z]{1,5}_[\w-]{20,}|GR1348941[\w-]{20})"
        + _ED,
        r"gldt-|glrt-|glptt-|glcbt-|GR1348941",
        "https://docs.gitlab.com/security/tokens/#token-prefixes",
        "code",
        ("gldt-", "glrt-", "glptt-", "glcbt-", "GR1348941"),
    ),
    _fmt(
        "gitlab-app-token",
        "GitLab OAuth application secret, feed, SCIM, mail or agent token",
        _BD
        + r"(?:gloas-[\w-]{64}|glft-[\w-]{20}|glsoat-[\w-]{20}"
        + r"|glimt-[\w-]{25}|glagent-[\w-]{50}|glffct-[\w-]{20})"
        + _ED,
        r"gloas-|glft-|glsoat-|glimt-|glagent-|glffct-",
        "https://docs.gitlab.com/security/tokens/#token-prefixes",
        "code",
        ("gloas-", "glft-", "glsoat-", "glimt-", "glagent-", "glffct-"),
    ),
    _fmt(
        "atlassian-api-token",
        "Atlassian (Jira, Confluence, Bitbucket) API token",
        _B + r"(?:ATATT3[A-Za-z0-9_=-]{186}|ATBB[A-Za-z0-9]{32,})" + _ED,
        r"ATATT3|ATBB",
        GITLEAKS
        + " (atlassian-api-token); https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/",
        "code",
        ("ATATT3", "ATBB"),
    ),
    _fmt(
        "npm-token",
        "npm access token",
        r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])",
        r"npm_",
        "https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/",
        "code",
        ("npm_",),
    ),
    _fmt(
        "pypi-token",
        "PyPI API token",
        r"(?<![A-Za-z0-9_-])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        r"pypi-",
        "https://pypi.org/help/#apitoken",
        "code",
        ("pypi-",),
    ),
    _fmt(
        "rubygems-token",
        "RubyGems API key",
        _B + r"rubygems_[a-f0-9]{48}" + _E,
        r"rubygems_",
        GITLEAKS + " (rubygems-api-token)",
        "code",
        ("rubygems_",),
    ),
    _fmt(
        "docker-hub-token",
        "Docker Hub access token",
        _B + r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}" + _ED,
        r"dckr_(?:pat|oat)_",
        "https://docs.docker.com/security/for-developers/access-tokens/",
        "code",
        ("dckr_",),
    ),
    _fmt(
        "nuget-api-key",
        "NuGet API key",
        _B + r"oy2[a-z0-9]{43}" + _E,
        r"oy2",
        "https://learn.microsoft.com/en-us/nuget/nuget-org/scoped-api-keys",
        "code",
        ("oy2",),
    ),
    _fmt(
        "artifactory-api-key",
        "JFrog Artifactory API key",
        _B + r"AKCp[A-Za-z0-9]{69}" + _E,
        r"AKCp",
        GITLEAKS + " (artifactory-api-key); " + DETECT_SECRETS + "/artifactory.py",
        "code",
        ("AKCp",),
    ),
    _fmt(
        "postman-api-key",
        "Postman API key",
        _B + r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + _E,
        r"PMAK-",
        GITLEAKS + " (postman-api-token)",
        "code",
        ("PMAK-",),
    ),
    _fmt(
        "sonarqube-token",
        "SonarQube token",
        _B + r"sq[uap]_[a-f0-9]{40}" + _E,
        r"sq[uap]_",
        "https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/",
        "code",
        ("squ_", "sqp_", "sqa_"),
    ),
    _fmt(
        "buildkite-token",
        "Buildkite API access token",
        _B + r"bkua_[a-f0-9]{40}" + _E,
        r"bkua_",
        "https://buildkite.com/docs/apis/managing-api-tokens",
        "code",
        ("bkua_",),
    ),
    _fmt(
        "linear-api-key",
        "Linear API key",
        _B + r"lin_api_[A-Za-z0-9]{40}" + _E,
        r"lin_api_",
        GITLEAKS + " (linear-api-key)",
        "code",
        ("lin_api_",),
    ),
    _fmt(
        "notion-token",
        "Notion integration token",
        _B + r"(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})" + _E,
        r"ntn_|secret_",
        GITLEAKS + " (notion-api-token)",
        "code",
        ("ntn_", "secret_"),
    ),
    _fmt(
        "airtable-token",
        "Airtable personal access token",
        _B + r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}" + _E,
        r"pat",
        GITLEAKS + " (airtable-personnal-access-token)",
        "code",
        ("airtable", "token"),
    ),
    _fmt(
        "figma-token",
        "Figma personal access token",
        _B + r"figd_[A-Za-z0-9_-]{40}" + _ED,
        r"figd_",
        "https://www.figma.com/developers/api#access-tokens",
        "code",
        ("figd_",),
    ),
    _fmt(
        "contentful-token",
        "Contentful personal access token",
        _B + r"CFPAT-[A-Za-z0-9_-]{43}" + _ED,
        r"CFPAT-",
        "https://www.contentful.com/developers/docs/references/authentication/#the-content-management-api",
        "code",
        ("CFPAT-",),
    ),
    _fmt(
        "netlify-token",
        "Netlify personal access token",
        _B + r"nfp_[A-Za-z0-9]{36}" + _E,
        r"nfp_",
        "https://docs.netlify.com/api/get-started/#authentication",
        "code",
        ("nfp_",),
    ),
    _fmt(
        "age-secret-key",
        "age encryption secret key",
        r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        r"AGE-SECRET-KEY-1",
        GITLEAKS + " (age-secret-key)",
        "code",
        ("secret",),
    ),
    # -- monitoring -------------------------------------------------------------------------
    _fmt(
        "sentry-auth-token",
        "Sentry auth token",
        _B + r"(?:sntrys_eyJ[A-Za-z0-9+/=_]{60,}|sntryu_[a-f0-9]{64})(?![A-Za-z0-9+/=_])",
        r"sntry[su]_",
        "https://docs.sentry.io/account/auth-tokens/",
        "monitoring",
        ("sntrys_", "sntryu_"),
    ),
    _fmt(
        "datadog-api-key",
        "Datadog API key",
        _named(r"(?:datadog|dd)_?api_?key", r"[a-f0-9]{32}") + _E,
        _NEVER,
        "https://docs.datadoghq.com/account_management/api-app-keys/",
        "monitoring",
        ("key",),
    ),
    _fmt(
        "datadog-app-key",
        "Datadog application key",
        _named(r"(?:datadog|dd)_?app(?:lication)?_?key", r"[a-f0-9]{40}") + _E,
        _NEVER,
        "https://docs.datadoghq.com/account_management/api-app-keys/",
        "monitoring",
        ("key",),
    ),
    _fmt(
        "new-relic-key",
        "New Relic API, license or insert key",
        _BD + r"(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|[a-f0-9]{36}NRAL)" + _ED,
        r"NRAK-|NRII-",
        "https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/",
        "monitoring",
        ("NRAK-", "NRII-", "NRAL"),
    ),
    _fmt(
        "grafana-token",
        "Grafana Cloud or service account token",
        _B + r"(?:glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?![A-Za-z0-9+/=_])",
        r"glc_|glsa_",
        GITLEAKS + " (grafana-cloud-api-token, grafana-service-account-token)",
        "monitoring",
        ("glc_", "glsa_"),
    ),
    _fmt(
        "dynatrace-token",
        "Dynatrace API token",
        _B + r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}" + _E,
        r"dt0c01\.",
        "https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/access-tokens",
        "monitoring",
        ("dt0c01.",),
    ),
    # -- AI APIs ----------------------------------------------------------------------------
    _fmt(
        "anthropic-api-key",
        "Anthropic API key",
        _B + r"sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA" + _ED,
        r"sk-ant-\w+-",
        "https://docs.anthropic.com/en/api/getting-started#authentication; "
        + GITLEAKS
        + " (anthropic-api-key)",
        "ai",
        ("sk-ant-",),
    ),
    _fmt(
        "openai-api-key",
        "OpenAI API key",
        _B + r"sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74}" + _ED,
        r"sk-(?:(?:proj|svcacct|admin)-)?",
        "https://platform.openai.com/docs/api-reference/authentication; " + DETECT_SECRETS + "/openai.py",
        "ai",
        ("T3BlbkFJ",),
    ),
    _fmt(
        "huggingface-token",
        "Hugging Face access token",
        _B + r"(?:hf_[A-Za-z]{34}|api_org_[A-Za-z]{34})" + _E,
        r"hf_|api_org_",
        "https://huggingface.co/docs/hub/security-tokens; " + GITLEAKS + " (huggingface-access-token)",
        "ai",
        ("hf_", "api_org_"),
    ),
    _fmt(
        "replicate-token",
        "Replicate API token",
        _B + r"r8_[A-Za-z0-9]{37}" + _E,
        r"r8_",
        "https://replicate.com/docs/reference/http#authentication",
        "ai",
        ("r8_",),
    ),
    _fmt(
        "groq-api-key",
        "Groq API key",
        _B + r"gsk_[A-Za-z0-9]{52}" + _E,
        r"gsk_",
        "https://console.groq.com/docs/quickstart",
        "ai",
        ("gsk_",),
    ),
    _fmt(
        "perplexity-api-key",
        "Perplexity API key",
        _B + r"pplx-[A-Za-z0-9]{48}" + _E,
        r"pplx-",
        GITLEAKS + " (perplexity-api-key)",
        "ai",
        ("pplx-",),
    ),
    _fmt(
        "xai-api-key",
        "xAI API key",
        _B + r"xai-[A-Za-z0-9]{80}" + _E,
        r"xai-",
        "https://docs.x.ai/docs/overview",
        "ai",
        ("xai-",),
    ),
    # -- other ------------------------------------------------------------------------------
    _fmt(
        "dropbox-token",
        "Dropbox access token",
        _B + r"(?:sl\.[A-Za-z0-9_=-]{130,}|[a-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43})" + _ED,
        r"sl\.",
        GITLEAKS + " (dropbox-short-lived-api-token, dropbox-long-lived-api-token)",
        "storage",
        ("dropbox", "token", "AAAAAAAAAA"),
    ),
    _fmt(
        "mapbox-secret-token",
        "Mapbox secret access token",
        _B + r"sk\.eyJ[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,}" + _ED,
        r"sk\.",
        "https://docs.mapbox.com/help/dive-deeper/access-tokens/",
        "other",
        ("sk.eyJ",),
    ),
    _fmt(
        "twitter-bearer-token",
        "X (Twitter) bearer token",
        r"(?<![A-Za-z0-9%])A{22}[A-Za-z0-9%]{80,100}(?![A-Za-z0-9%])",
        _NEVER,
        GITLEAKS + " (twitter-bearer-token)",
        "other",
        ("AAAAAAAAAA",),
    ),
    _fmt(
        "jwt",
        "JSON Web Token usable as a credential",
        _B + r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}" + _ED,
        _NEVER,
        "https://www.rfc-editor.org/rfc/rfc7519; " + DETECT_SECRETS + "/jwt.py",
        "other",
        ("eyJ",),
        jwt_is_credential,
    ),
)
TOKENS_BY_RULE = {t.rule: t for t in TOKEN_FORMATS}

#: Every marker of every format, once each (see the module docstring for the case rule).
MARKERS: tuple[str, ...] = tuple(dict.fromkeys(m for t in TOKEN_FORMATS for m in t.markers))
#: The markers looked for case-insensitively (written in lower case) and as written.
LOWER_MARKERS = tuple(m for m in MARKERS if m == m.lower())
CASED_MARKERS = tuple(m for m in MARKERS if m != m.lower())
#: Markers the history scan looks for in every block besides its secret words (``key``,
#: ``token``, ``secret``, ``pass``, ``://``...: most tokens sit on such a line). Each one is
#: another pass over every block of ``git log -p`` (a few seconds per marker on a history
#: of 500 MB), so only prefixes of credentials often written without such a word are here:
#: AI keys, Stripe webhook secrets, Sentry and Docker Hub tokens, Google OAuth secrets,
#: DigitalOcean tokens. Lower case: looked for case-insensitively.
HISTORY_MARKERS = ("sk-ant-", "t3blbkfj", "hf_", "whsec_", "sntry", "dckr_", "gocspx-", "dop_v1_")


#: Formats a match of which may hold none of their markers: markers that are words of the
#: context (``airtable``, ``token``: the scanners look there only on such lines), or markers
#: found case-insensitively in a part matched
#: case-insensitively that holds ``i`` or ``s`` (``ſ`` matches ``s`` under ``re.IGNORECASE``
#: and stays itself in lower case). Every other format's match holds one of its markers:
#: tests/test_redact_tokens.py proves it from each pattern's parse and keeps this list equal
#: to what it finds. :func:`golive.redact.redact_text` tries these on every long word and the
#: others only where :func:`candidates` finds their markers.
UNMARKED_RULES = frozenset(
    {
        "aws-secret-access-key",
        "aws-ses-smtp-password",
        "discord-bot-token",
        "airtable-token",
        "dropbox-token",
        "postmark-server-token",
        "twilio-api-key",
        "twilio-auth-token",
    }
)
#: Their indices in :data:`TOKEN_FORMATS`.
UNMARKED = frozenset(i for i, fmt in enumerate(TOKEN_FORMATS) if fmt.rule in UNMARKED_RULES)


def __getattr__(name: str) -> object:
    """``TOKEN_RE``, built on first use (module ``__getattr__``, PEP 562)."""
    if name == "TOKEN_RE":
        return token_re()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def token_re() -> re.Pattern[str]:
    """Every format in one expression: group ``t<i>`` is ``TOKEN_FORMATS[i]`` (their own ``v``
    groups become plain groups here; :meth:`TokenFormat.value` finds the value again).
    Built once, on first use (also as the module attribute ``TOKEN_RE``)."""
    return re.compile(
        "|".join(f"(?P<t{i}>{fmt.source.replace('(?P<v>', '(?:')})" for i, fmt in enumerate(TOKEN_FORMATS))
    )


def probe_patterns() -> list[str]:
    """The patterns the runtime probe looks for in every setting's value: the formats that
    need no name before them and no check (a vendor token is a secret wherever it sits)."""
    return [t.source for t in TOKEN_FORMATS if not t.name_bound and t.check is None]


def _formats_of(marker: str) -> frozenset[int]:
    return frozenset(i for i, fmt in enumerate(TOKEN_FORMATS) if marker in fmt.markers)


#: (marker, indices of the formats it stands for): looked for as written, and in the lower-cased line.
_BY_CASED = tuple((m, _formats_of(m)) for m in CASED_MARKERS)
_BY_LOWER = tuple((m, _formats_of(m)) for m in LOWER_MARKERS)


@functools.cache
def _marker_set() -> re2.Set:
    """Every marker as one RE2 set, built on first use (with RE2's import)."""
    import re2

    found = re2.Set.SearchSet(re2.Options())
    for marker in _MARKED:
        found.Add(re2.escape(marker))
    found.Compile()
    return found


#: Every marker with the formats it stands for (:func:`_marker_set` holds them as one RE2 set).
_MARKED = CASED_MARKERS + LOWER_MARKERS
_MARKED_FORMATS = tuple(f for _, f in _BY_CASED + _BY_LOWER)


def candidates(line: str) -> list[int]:
    """Indices (in :data:`TOKEN_FORMATS`) of the formats whose markers ``line`` holds, in order.

    One pass of an RE2 set of every marker over the line followed by the line in lower case:
    a marker with a capital letter can only be found in the first, and a lower-case marker
    found in the first is in the second as well."""
    hits = _marker_set().Match(f"{line}\x00{line.lower()}")
    if hits is None:
        return []
    if len(hits) == 1:
        return sorted(_MARKED_FORMATS[hits[0]])
    found: set[int] = set()
    for i in hits:
        found |= _MARKED_FORMATS[i]
    return sorted(found)


def find_tokens(line: str) -> list[tuple[TokenFormat, str]]:
    """Every token-format credential on ``line``: ``[(format, value), ...]`` in order.

    Only the formats whose markers the line holds are tried (:func:`candidates`); where two
    matches overlap, the one starting first wins, then the format listed first (as one
    alternation of every format would decide). The value is the credential alone (a
    name-bound format's ``v`` group); a format's :attr:`TokenFormat.check` drops matches
    that are not credentials (an expired JWT).
    """
    hits: list[tuple[int, int, int, str]] = []
    for i in candidates(line):
        for m in TOKEN_FORMATS[i].pattern.finditer(line):
            hits.append((m.start(), i, m.end(), m.group(0)))
    if not hits:
        return []
    found: list[tuple[TokenFormat, str]] = []
    end = -1
    for start, i, stop, text in sorted(hits):
        fmt = TOKEN_FORMATS[i]
        if start < end or (fmt.check is not None and not fmt.check(text)):
            continue
        end = stop
        found.append((fmt, fmt.value(text)))
    if any(fmt.rule == "aws-access-key-id" for fmt, _ in found):
        found += _aws_pair(line, {v for _, v in found})
    return found


#: 40 characters of base64 standing alone: an AWS secret access key's shape.
_AWS_SECRET_SHAPE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")


def _aws_pair(line: str, seen: set[str]) -> list[tuple[TokenFormat, str]]:
    """The secret access key written beside its key id without a name
    (``boto3.client("s3", "AKIA...", "<secret>")``): 40 base64 characters holding upper and
    lower case letters and a digit, ``/`` or ``+`` (so a 40-digit hex sha is not one). AWS:
    access keys consist of an access key ID and a secret access key
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html).
    """
    fmt = TOKENS_BY_RULE["aws-secret-access-key"]
    out = []
    for m in _AWS_SECRET_SHAPE.finditer(line):
        value = m.group(0)
        mixed = any(c.isupper() for c in value) and any(c.islower() for c in value)
        if value not in seen and mixed and any(c.isdigit() or c in "/+" for c in value):
            out.append((fmt, value))
    return out
