"""bench/vote_burst.py's table: one row per target and client, then the ratios between targets
measured with the same client in the same run (means over the rounds)."""

from __future__ import annotations

COLUMNS = [("target", "{}"), ("client", "{}"), ("phones", "{}"), ("connected", "{}"), ("connect_failed", "{}"),
           ("connect_s", "{:.1f}"),
           ("connects_per_s", "{:.0f}"), ("burst_s", "{:.2f}"), ("votes_per_s", "{:.0f}"), ("p50_ms", "{:.0f}"),
           ("p95_ms", "{:.0f}"), ("p99_ms", "{:.0f}"), ("tally_to_overlay_ms", "{:.0f}"), ("peak_rss_mb", "{}"),
           ("kb_per_phone", "{:.1f}"), ("kb_per_phone_added", "{:.1f}"), ("cpus", "{}"), ("lost", "{}"),
           ("doubled", "{}"), ("hangup_stall_s", "{:.2f}")]
BASELINES = ("bare", "bare-sansio", "bare-paced", "node")
OURS = ("engine", "cluster2")  # and engine@NAME: the engine from another source tree


def fmt(row: dict, key: str, f: str) -> str:
    v = row.get(key)
    return "-" if v is None else f.format(v)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def ratios(rows: list[dict]) -> list[str]:
    """Our targets against each baseline measured with the same client in this run."""
    out = []
    trees = [k for k in dict.fromkeys(r["target"] for r in rows) if k.startswith("engine@")]
    pairs = [(kind, base) for kind in (*OURS, *trees) for base in BASELINES] + [("engine", t) for t in trees]
    for client in dict.fromkeys(r["client"] for r in rows):
        same = [r for r in rows if r["client"] == client]
        for kind, base in pairs:
            ours = [r for r in same if r["target"] == kind]
            ref = [r for r in same if r["target"] == base]
            if ours and ref:
                votes = mean([r["votes_per_s"] for r in ours]) / mean([r["votes_per_s"] for r in ref])
                connect = mean([r["connect_s"] for r in ours]) / mean([r["connect_s"] for r in ref])
                p99 = mean([r["p99_ms"] for r in ours]) / mean([r["p99_ms"] for r in ref])
                out.append(f"{client:>4} client: {kind} / {base}: votes/s {votes:.2f}x, "
                           f"connect time {connect:.2f}x, p99 ack {p99:.2f}x")
    return out


def print_table(rows: list[dict]) -> None:
    print("| " + " | ".join(k for k, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for r in rows:
        print("| " + " | ".join(fmt(r, k, f) for k, f in COLUMNS) + " |")
    for line in ratios(rows):
        print(line)
