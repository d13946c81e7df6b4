"""The corpus results as totals and Markdown (benchmarks/corpus.py prints it, --markdown writes it)."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    "project",
    "found",
    "partial",
    "missed",
    "false alarms ≥ medium",
    "exit",
    "grade",
    "golive s",
    "check --deploy s",
    "ratio",
    "leaks",
    "files discovered",
    "files read",
    "app-server rows",
    "nginx rows",
)


def _missed(result: dict[str, Any]) -> int:
    return sum(1 for row in result.get("rows") or () if row["outcome"] == "missed")


def totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Sums over the scored projects (leaks over every project that ran)."""
    scored = [r for r in results if "rows" in r]
    total: dict[str, Any] = {k: sum(r.get(k, 0) for r in scored) for k in ("problems", "found", "partial")}
    total["missed"] = sum(_missed(r) for r in scored)
    total["false_alarms"] = sum(len(r["false_alarms"]) for r in scored)
    total["leaks"] = sum(len(r.get("leaks") or ()) for r in results)
    total["projects"], total["scored"] = len(results), len(scored)
    for key in ("files_discovered", "files_read"):
        total[key] = [
            sum(sum(r.get(key, {}).values()) for r in scored),
            sum(len(r.get(key, {})) for r in scored),
        ]
    for layer in ("appserver", "nginx"):
        counts = [(r.get("layers") or {}).get(layer) or {} for r in scored]
        total[layer] = {k: sum(c.get(k, 0) for c in counts) for k in ("found", "partial", "missed", "total")}
    total["golive_wall"] = round(sum((r.get("golive") or {}).get("wall") or 0 for r in scored), 1)
    timed = [r for r in scored if (r.get("check_deploy") or {}).get("wall")]
    total["check_deploy_wall"] = round(sum(r["check_deploy"]["wall"] for r in timed), 1)
    golive_timed = sum((r.get("golive") or {}).get("wall") or 0 for r in timed)
    total["ratio"] = (
        round(golive_timed / total["check_deploy_wall"], 1) if total["check_deploy_wall"] else None
    )
    return total


def cell(value: object) -> str:
    """A Markdown table cell: ``|`` escaped, newlines flattened, None empty."""
    return str("" if value is None else value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _fraction(flags: dict[str, bool]) -> str:
    return f"{sum(flags.values())}/{len(flags)}" if flags else ""


def _layer(counts: dict[str, int] | None) -> str:
    """``found/total`` of a layer's problem rows, ``""`` when it has none."""
    return f"{counts['found']}/{counts['total']}" if counts and counts.get("total") else ""


def _row(r: dict[str, Any]) -> list[object]:
    g, c = r.get("golive") or {}, r.get("check_deploy") or {}
    exit_status = ("timeout" if g.get("timeout") else g.get("exit")) if g else r.get("status")
    if "rows" not in r:
        return [
            r["project"],
            r.get("status"),
            "",
            "",
            "",
            exit_status,
            "",
            g.get("wall"),
            "",
            "",
            len(r.get("leaks") or ()),
            "",
            "",
            "",
            "",
        ]
    return [
        r["project"],
        f"{r['found']}/{r['problems']}",
        r["partial"],
        _missed(r),
        len(r["false_alarms"]),
        exit_status,
        r.get("grade"),
        g.get("wall"),
        c.get("wall"),
        r.get("ratio"),
        len(r.get("leaks") or ()),
        _fraction(r.get("files_discovered") or {}),
        _fraction(r.get("files_read") or {}),
        _layer((r.get("layers") or {}).get("appserver")),
        _layer((r.get("layers") or {}).get("nginx")),
    ]


def render_markdown(results: list[dict[str, Any]], total: dict[str, Any]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(x) for x in _row(r)) + " |" for r in results]
    summary = [
        "**total**",
        f"{total['found']}/{total['problems']}",
        total["partial"],
        total["missed"],
        total["false_alarms"],
        "",
        "",
        total["golive_wall"],
        total["check_deploy_wall"],
        total["ratio"],
        total["leaks"],
        "{}/{}".format(*total["files_discovered"]),
        "{}/{}".format(*total["files_read"]),
        _layer(total["appserver"]),
        _layer(total["nginx"]),
    ]
    lines.append("| " + " | ".join(cell(x) for x in summary) + " |")
    discovered, read = total["files_discovered"], total["files_read"]
    lines.append("")
    lines.append(f"deployment files discovered: {discovered[0]}/{discovered[1]}; read: {read[0]}/{read[1]}")
    for layer, label in (("appserver", "app-server"), ("nginx", "nginx")):
        t = total[layer]
        lines.append(
            f"{label} rows found: {t['found']}/{t['total']} (partial {t['partial']}, missed {t['missed']})"
        )
    for r in results:
        lines += details(r)
    return "\n".join(lines) + "\n"


def details(r: dict[str, Any]) -> list[str]:
    """What a reader needs beyond the numbers: how it ran, every miss, partial, false alarm, leak."""
    out = [f"\n### {cell(r['project'])}\n"]
    if r.get("mode"):
        ran = f"- ran: {r['mode']} history"
        if r.get("golive_version"):
            ran += f", golive {cell(r['golive_version'])}"
        if r.get("settings_audited"):
            ran += f", settings audited: `{cell(r['settings_audited'])}`"
        out.append(ran)
    for label, key in (("note", "detail"), ("check --deploy", "check_note")):
        if r.get(key):
            out.append(f"- {label}: {cell(r[key])}")
    out += [f"- table: {cell(w)}" for w in r.get("table_warnings") or ()]
    for row in r.get("rows") or ():
        if row["outcome"] != "found":
            by = f" ← {'; '.join(row['by'])}" if row["by"] else ""
            note = f" [{row['note']}]" if row.get("note") else ""
            layer = f" [{row['layer']}]" if row.get("layer") else ""
            head = f"- {row['outcome']}: `{row['key']}`{layer} {cell(row['item'])}"
            out.append(f"{head} ({row['verdict']}){cell(by)}{note}")
    for a in r.get("false_alarms") or ():
        where = f" ({a['where']})" if a["where"] else ""
        out.append(f"- false alarm: {a['id']} {a['severity']} {cell(a['title'])}{cell(where)}")
    for leak in r.get("leaks") or ():
        out.append(f"- LEAK: the secret of {leak['secret']} ({leak['how']}) in {leak['where']}")
    if r.get("files_discovered"):
        out.append(f"- deployment files discovered: {_fraction(r['files_discovered'])}")
    unseen = [p for p, seen in (r.get("files_discovered") or {}).items() if not seen]
    if unseen:
        out.append(f"- deployment files not discovered: {', '.join(unseen)}")
    unread = [p for p, seen in (r.get("files_read") or {}).items() if not seen and p not in unseen]
    if unread:
        out.append(f"- deployment files discovered, not shown read: {', '.join(unread)}")
    return out
