"""Turning measurements into the tables the benchmark prints (and the README quotes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.loadgen import LoadResult, percentile

REFERENCE = "oxigraph serve"
MB = 1024 * 1024


@dataclass
class Row:
    """One server on one mix and dataset, every run of it merged."""

    dataset: str
    mix: str
    server: str
    result: LoadResult
    peak_rss: int = 0
    peak_pss: int = 0
    server_cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process name, all runs
    client_cpu: float = 0.0  # the load generator's CPU seconds, all runs

    def cpu_per_request(self, seconds: float) -> float:
        """Microseconds of CPU per completed request."""
        return seconds / self.result.completed * 1e6 if self.result.completed else float("nan")

    @property
    def p50(self) -> float:
        return percentile(self.result.latencies, 0.50) * 1000

    @property
    def p99(self) -> float:
        return percentile(self.result.latencies, 0.99) * 1000


def _rate(row: Row) -> str:
    if row.result.completed == 0:
        return f"<{1 / row.result.seconds:.2f}" if row.result.seconds else "0"
    return f"{row.result.rate:,.1f}" if row.result.rate < 100 else f"{row.result.rate:,.0f}"


def _ms(value: float) -> str:
    if value != value:  # NaN: no answer completed
        return "-"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _ratio(value: float, reference: float) -> str:
    if not reference:
        return "-"
    ratio = value / reference
    return f"{ratio:.2f}x" if ratio >= 0.01 else f"{ratio:.4f}x"


def results_table(rows: list[Row]) -> str:
    """Markdown table: one line per dataset, mix and server, ratios against ``oxigraph serve``."""
    header = (
        "| data | mix | server | req/s | p50 ms | p99 ms | errors | peak RSS MB | peak PSS MB | req/s vs oxigraph "
        "| p99 vs oxigraph |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    for row in rows:
        reference = next((r for r in rows if (r.dataset, r.mix, r.server) == (row.dataset, row.mix, REFERENCE)), None)
        rate_ratio = _ratio(row.result.rate, reference.result.rate) if reference else "-"
        p99_ratio = _ratio(row.p99, reference.p99) if reference and row.result.completed else "-"
        lines.append(
            f"| {row.dataset} | {row.mix} | {row.server} | {_rate(row)} | {_ms(row.p50)} | {_ms(row.p99)} "
            f"| {row.result.errors} | {row.peak_rss / MB:,.0f} | {row.peak_pss / MB:,.0f} "
            f"| {rate_ratio} | {p99_ratio} |"
        )
    return "\n".join(lines)


def versus_table(rows: list[Row], ours: str, other: str) -> str:
    """How many times ``ours`` serves ``other``'s request rate, per dataset and mix."""
    lines = [f"| data | mix | {ours} / {other} |", "|---|---|---:|"]
    for row in rows:
        if row.server != ours:
            continue
        peer = next((r for r in rows if (r.dataset, r.mix, r.server) == (row.dataset, row.mix, other)), None)
        if peer is None:
            continue
        if peer.result.completed == 0:
            bound = row.result.rate * peer.result.seconds
            text = f">{bound:,.0f}x (it completed no request in {peer.result.seconds:.0f} s)"
        else:
            text = f"{row.result.rate / peer.result.rate:,.0f}x"
        lines.append(f"| {row.dataset} | {row.mix} | {text} |")
    return "\n".join(lines)


def cpu_table(rows: list[Row]) -> str:
    """CPU per completed request: the server's process tree in all and by process, and the load generator.

    On a machine whose cores the servers share with the load generator, a request rate is bounded by the
    CPU all three spend on a request: this says where it goes.
    """
    lines = [
        "| data | mix | server | server CPU µs/req | by process (µs/req) | load generator µs/req |",
        "|---|---|---|---:|---|---:|",
    ]
    for row in rows:
        if not row.result.completed:
            continue
        total = row.cpu_per_request(sum(row.server_cpu.values()))
        parts = sorted(row.server_cpu.items(), key=lambda item: -item[1])
        shown = ", ".join(f"{kind} {row.cpu_per_request(spent):,.0f}" for kind, spent in parts if spent > 0)
        lines.append(
            f"| {row.dataset} | {row.mix} | {row.server} | {total:,.0f} | {shown} "
            f"| {row.cpu_per_request(row.client_cpu):,.0f} |"
        )
    return "\n".join(lines)
