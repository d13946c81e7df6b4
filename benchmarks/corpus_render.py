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
    "files read",
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


def _row(r: dict[str, Any]) -> list[object]:
    g, c = r.get("golive") or {}, r.get("check_deploy") or {}
    files = r.get("files_read") or {}
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
        f"{sum(files.values())}/{len(files)}" if files else "",
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
        "",
    ]
    lines.append("| " + " | ".join(cell(x) for x in summary) + " |")
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
            out.append(
                f"- {row['outcome']}: `{row['key']}` {cell(row['item'])} ({row['verdict']}){cell(by)}{note}"
            )
    for a in r.get("false_alarms") or ():
        where = f" ({a['where']})" if a["where"] else ""
        out.append(f"- false alarm: {a['id']} {a['severity']} {cell(a['title'])}{cell(where)}")
    for leak in r.get("leaks") or ():
        out.append(f"- LEAK: the secret of {leak['secret']} ({leak['how']}) in {leak['where']}")
    unread = [p for p, seen in (r.get("files_read") or {}).items() if not seen]
    if unread:
        out.append(f"- deployment files not shown read: {', '.join(unread)}")
    return out
