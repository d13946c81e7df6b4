"""golive: is this Django deployment safe and ready?

Audits a Django project along Django's deployment checklist (settings as Django loads
them, settings source, servers, the live site) and writes a dated, signed report.
"""

__version__ = "0.1.0"
