"""Which probes start before a site's protocol is known (golive.collectors.live.targets.early_order)."""

from __future__ import annotations

from golive.collectors.live.targets import ProbeOptions, early_order, file_paths
from golive.facts.live import Probe


def test_early_order_puts_http1_only_and_chained_probes_first() -> None:
    names = [
        Probe.NOT_FOUND,
        Probe.BOGUS_HOST,
        Probe.PREFLIGHT,
        Probe.admin("/admin/"),
        *(Probe.file(p) for p in file_paths(ProbeOptions(), "")),
        Probe.listing("/static"),
        Probe.SECURITY_TXT,
    ]
    ordered = [names[i] for i in early_order(names)]
    assert sorted(ordered) == sorted(names)  # every probe, once
    assert ordered[:5] == [
        Probe.NOT_FOUND,
        Probe.BOGUS_HOST,
        Probe.admin("/admin/"),
        Probe.file("/db.sqlite3"),
        Probe.file("/dump.sql"),
    ]
    bulky = [n for n in ordered if n in {Probe.file(p) for p in ("/backup.sql", "/db.sql", "/database.sql")}]
    assert ordered.index(bulky[-1]) < ordered.index(Probe.file("/.git/HEAD"))
    # the rest keep their planned order
    assert ordered[-3:] == [Probe.file("/media../.env"), Probe.listing("/static"), Probe.SECURITY_TXT]
