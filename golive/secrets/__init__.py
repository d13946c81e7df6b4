"""golive's own secret scanner: Django-aware rules for text lines and git history.

:mod:`golive.secrets.rules` knows what a secret looks like (well-known token formats,
secret-named settings assigned literals, credentials in URLs, ``.env`` lines, private
key blocks) and what a placeholder looks like. :mod:`golive.secrets.scanner` applies
the rules to the lines of one file, and :mod:`golive.secrets.history` to the added
lines of a ``git log -p`` stream. Values found here never leave the collector that
reads them (:mod:`golive.collectors.git`): it keeps a :class:`golive.secretinfo.SecretInfo`
(length, fingerprint) and, for token formats whose prefix is public, that prefix.
"""
