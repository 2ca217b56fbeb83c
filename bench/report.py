"""The bench's findings as Markdown tables, each target marked met or MISSED, and what a surge needs."""

import math
import os
import time
from dataclasses import dataclass, field

from edge import P99_LIMIT_MS as EDGE_P99_LIMIT_MS
from edge import READ_RATIO_TARGET, Edge
from harness import CONNECTIONS, SECONDS, THREADS, WORKERS, Load
from mail_parts import OUTBOX_MESSAGES, DeliveryRun, SignRun
from surge import P99_LIMIT_MS, RATE, Surge

# Endpoint, ratio of hello it must reach.
TARGETS = {"petition page": 0.5, "JSON count": 0.7, "sign (POST)": 0.25, "confirm (POST)": 0.25}
SIGN_TARGETS = {"sign, mail by web workers": 0.12, "sign, one deliver process": 0.25}
DELIVERY_RATE_TARGET, SPEED_UP_TARGET, SURGE_TARGET = 300, 1.6, 5
# Capacity: each machine is planned at 70% of its two cores, so a burst or a slow neighbour has room.
CORES, BUSY = 2, 0.7
SURGE_SIGNATURES, UPDATE_EMAILS = 1000, 1_000_000


@dataclass
class Results:
    hello: Load | None = None
    endpoints: list[tuple[str, Load]] = field(default_factory=list)
    signs: list[SignRun] = field(default_factory=list)
    deliveries: list[DeliveryRun] = field(default_factory=list)
    surges: list[Surge] = field(default_factory=list)
    exports: list[tuple[str, float, float]] = field(default_factory=list)
    export_rows: int = 0
    edge: Edge | None = None


def verdict(met: bool, target: str) -> str:
    return f"{target} {'met' if met else 'MISSED'}"


def print_all(results: Results, command: str) -> None:
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, `{command}`")
    print(
        f"gunicorn sync -w {WORKERS}; closed-loop rows: wrk -t{THREADS} -c{CONNECTIONS} "
        f"-d{SECONDS}s. CPU ms: utime+stime of gunicorn's master and workers (or of the deliver "
        "process) from /proc, per request or message completed.\n"
    )
    if results.hello:
        print_load(results.hello, results.endpoints, results.signs)
    if results.signs:
        print_sign(results.hello, results.signs)
    if results.deliveries:
        print_delivery(results.deliveries)
    if results.surges:
        print_surges(results.surges)
    if results.exports:
        print_exports(results.exports, results.export_rows)
    if results.edge:
        print_edge(results.edge)
    print_capacity(results)


def print_edge(edge: Edge) -> None:
    static = edge.reads[0][1].rps
    print(
        "\n| Through nginx | Requests/s | p50 ms | p99 ms | Errors | Ratio of the static file | Target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, load in edge.reads:
        ratio = load.rps / static
        mark = (
            ""
            if name.startswith("static")
            else verdict(ratio >= READ_RATIO_TARGET, f"≥ {READ_RATIO_TARGET}")
        )
        print(
            f"| {name} | {load.rps:,.0f} | {load.p50:.1f} | {load.p99:.1f} | {load.errors} | {ratio:.2f} | {mark} |"
        )
    r = edge.replay
    if r is None:
        return
    signatures = max(r.signed, 1)
    print(
        f"\nThe record mix at {r.multiple:g}× through nginx for {r.seconds} s: offered "
        f"{r.offered:,.0f} requests/s, achieved {r.load.rps:,.0f}, {r.load.errors} errors, "
        f"{r.load.late:,} sent late; wrk's p50 {r.load.p50:.1f} ms, p99 {r.load.p99:.1f} ms. "
        f"{r.signed:,} signatures posted ({r.answered_signs:,} answered before the end), "
        f"{r.received:,} signers received their confirmation email ({r.duplicates} more than "
        f"once), {r.backlog} owed at the end. Held: {'yes' if r.held else 'NO'} "
        f"(target: rate, 0 errors, p99 ≤ {EDGE_P99_LIMIT_MS} ms for every kind, each mail once).\n"
    )
    print(
        "| Kind (nginx's log) | Requests | From nginx's copy | Reached the app | p50 ms | p99 ms | Failed | Cut by the run's end |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, kind in sorted(r.kinds.items()):
        print(
            f"| {name} | {len(kind.times):,} | {kind.from_cache:,} | {len(kind.times) - kind.from_cache:,} "
            f"| {kind.p50:.1f} | {kind.p99:.1f} | {dict(kind.failed) or 0} | {kind.cut} |"
        )
    print("\n| Process | CPU s | CPU ms per signature |")
    print("| --- | ---: | ---: |")
    for name, seconds in r.cpu.items():
        print(f"| {name} | {seconds:.1f} | {1000 * seconds / signatures:.2f} |")


def _row(name: str, load: Load, ceiling: float, target: float | None) -> str:
    ratio = load.rps / ceiling
    mark = verdict(ratio >= target, f"≥ {target}") if target else ""
    return (
        f"| {name} | {load.rps:,.0f} | {load.p50:.1f} | {load.p99:.1f} | {load.errors} "
        f"| {load.cpu_ms:.2f} | {ratio:.2f} | {mark} |"
    )


def print_load(hello: Load, endpoints: list[tuple[str, Load]], signs: list[SignRun]) -> None:
    print(
        "| Endpoint | Requests/s | p50 ms | p99 ms | Errors | CPU ms/request | Ratio of hello | Target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    print(_row("hello (ceiling)", hello, hello.rps, None))
    for name, load in endpoints:
        print(_row(name, load, hello.rps, TARGETS.get(name)))
    if endpoints:
        print("\nsign (POST) here queues its mail and nothing delivers it (as before).")


def print_sign(hello: Load | None, runs: list[SignRun]) -> None:
    print(
        "\n| Sign set-up (SQLite) | Requests/s | p50 ms | p99 ms | Errors | Web CPU ms/request "
        "| Deliverer CPU ms/message | Mail received | Backlog left | Ratio of hello | Target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for run in runs:
        load = run.load
        ratio = load.rps / hello.rps if hello else float("nan")
        target = SIGN_TARGETS[run.name]
        deliverer = "in web" if run.deliverer_ms is None else f"{run.deliverer_ms:.2f}"
        print(
            f"| {run.name} | {load.rps:,.0f} | {load.p50:.1f} | {load.p99:.1f} | {load.errors} "
            f"| {load.cpu_ms:.2f} | {deliverer} | {run.received:,} | {run.backlog:,} "
            f"| {ratio:.2f} | {verdict(ratio >= target, f'≥ {target}')} |"
        )
    print(
        "\nMail received: messages the SMTP server accepted during the load; backlog: still "
        "owed when it stopped."
    )


def print_delivery(runs: list[DeliveryRun]) -> None:
    print(
        f"\n| Delivering {OUTBOX_MESSAGES:,} owed confirmations | Messages/s | CPU ms/message "
        "| Received | Each exactly once | Backlog left | Target |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | --- |")
    single = {run.name.split(",")[0]: run for run in runs if run.processes == 1}
    for run in runs:
        if run.processes == 1:
            target = verdict(run.rate >= DELIVERY_RATE_TARGET, f"≥ {DELIVERY_RATE_TARGET}/s")
        else:
            speed_up = run.rate / single[run.name.split(",")[0]].rate
            target = verdict(
                speed_up >= SPEED_UP_TARGET, f"{speed_up:.2f}× one; ≥ {SPEED_UP_TARGET}×"
            )
        once = "yes" if run.exactly_once else f"NO ({run.duplicates} repeated)"
        print(
            f"| {run.name} | {run.rate:,.0f} | {run.cpu_ms:.2f} | {run.received:,} / {run.owed:,} "
            f"| {once} | {run.backlog:,} | {target} |"
        )
    print(
        "\nMessages/s: from the first to the last message the SMTP server received; CPU: "
        "the deliver processes' whole lives, start-up included. Owed by signing through the app."
    )


def print_surges(surges: list[Surge]) -> None:
    print(
        f"\nSurge replay, open loop at a fixed arrival rate. 1× = the UK Parliament petitions "
        f"site's record peak: 33 confirmations/s, 33 signatures/s, 330 page views/s (ten per "
        f"signature) and 660 JSON polls/s (counter.js polls every 30 s; assumed: a page stays open "
        f"60 s, so two polls per view) = {RATE:,} requests/s. Held: zero errors, p99 < "
        f"{P99_LIMIT_MS} ms, ≥ 95% of the rate reached and ≤ 1% of requests sent > 10 ms late "
        f"(late sends are queueing that wrk's latency does not see).\n"
    )
    print(
        "| Set-up | Mix | Seconds | Offered req/s | Achieved req/s | p50 ms | p99 ms | Errors "
        "| Late | Web CPU ms/signature | Deliverer ms/sig | PostgreSQL ms/sig | Mail received "
        "| Backlog at end | Held |"
    )
    print(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | --- |"
    )
    for surge in surges:
        for r in surge.replays:
            database = "" if r.database_cpu is None else f"{r.ms_per_signature(r.database_cpu):.1f}"
            deliverer = f"{r.ms_per_signature(r.deliverer_cpu):.1f}" if r.deliverer_cpu else ""
            print(
                f"| {surge.setup} | {r.multiple:g}× | {r.seconds} | {r.offered:,.0f} "
                f"| {r.load.rps:,.0f} | {r.load.p50:.1f} | {r.load.p99:.1f} | {r.load.errors} "
                f"| {r.load.late:,} | {r.ms_per_signature(r.load.cpu):.1f} | {deliverer} "
                f"| {database} | {r.received:,} | {r.backlog:,} | {'yes' if r.held else 'no'} |"
            )
    print()
    for surge in surges:
        best = surge.highest_held
        held = f"{best:g}×" if best else "none of the multiples tried"
        print(
            f"- {surge.setup}: highest multiple of the record peak held: {held} "
            f"({verdict(best >= SURGE_TARGET, f'≥ {SURGE_TARGET}×')})."
        )
    print(
        "- PostgreSQL ms/sig is every PostgreSQL process on this machine, other databases included."
    )


def print_exports(exports: list[tuple[str, float, float]], rows: int) -> None:
    bare = exports[0][1]
    print(f"\n| Export of {rows:,} verified signatures | Rows/s | Peak memory MB | Ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, rate, peak in exports:
        print(f"| {name} | {rate:,.0f} | {peak:.0f} | {rate / bare:.2f} |")


def _machines(cpu_ms_per_second: float) -> tuple[float, int]:
    """Cores busy for this many CPU ms each second, and two-core machines at BUSY."""
    cores = cpu_ms_per_second / 1000
    return cores, max(1, math.ceil(cores / (CORES * BUSY)))


def print_capacity(results: Results) -> None:
    endpoints = dict(results.endpoints)
    signs = {run.name: run for run in results.signs}
    deliveries = [run for run in results.deliveries if run.processes == 1]
    lines = []
    web_sign = signs.get("sign, one deliver process")
    if web_sign and {"petition page", "JSON count", "confirm (POST)"} <= endpoints.keys():
        unit = (
            web_sign.load.cpu_ms
            + endpoints["confirm (POST)"].cpu_ms
            + 10 * endpoints["petition page"].cpu_ms
            + 20 * endpoints["JSON count"].cpu_ms
        )
        cores, machines = _machines(SURGE_SIGNATURES * unit)
        lines.append(
            f"| App servers, from each path's CPU ms (sign with mail off the web + confirm + "
            f"10 pages + 20 JSON = {unit:.1f} ms per signature) | {cores:.1f} | {machines} |"
        )
    replays = [s.replays[0] for s in results.surges if "PostgreSQL" in s.setup] or [
        s.replays[0] for s in results.surges
    ]
    if replays:
        r = replays[0]
        unit = r.ms_per_signature(r.load.cpu)
        cores, machines = _machines(SURGE_SIGNATURES * unit)
        lines.append(
            f"| App servers, from the replay's CPU ({r.setup}, 1×: {unit:.1f} ms per signature) "
            f"| {cores:.1f} | {machines} |"
        )
    if deliveries:
        d = max(deliveries, key=lambda run: run.cpu_ms)
        cores, machines = _machines(SURGE_SIGNATURES * d.cpu_ms)
        processes = math.ceil(SURGE_SIGNATURES / d.rate)
        lines.append(
            f"| Delivery workers for the surge's {SURGE_SIGNATURES:,} confirmations/s "
            f"({d.cpu_ms:.2f} ms per message, {d.name}; ≥ {processes} processes at {d.rate:,.0f}/s "
            f"each) | {cores:.1f} | {machines} |"
        )
        per_second = UPDATE_EMAILS / 3600
        cores, machines = _machines(per_second * d.cpu_ms)
        processes = math.ceil(per_second / d.rate)
        lines.append(
            f"| Delivery workers for {UPDATE_EMAILS:,} update emails in an hour "
            f"({per_second:,.0f}/s; ≥ {processes} process(es)) | {cores:.1f} | {machines} |"
        )
    database = [r for s in results.surges for r in s.replays[:1] if r.database_cpu is not None]
    if database:
        r = database[0]
        unit = r.ms_per_signature(r.database_cpu or 0.0)
        cores, machines = _machines(SURGE_SIGNATURES * unit)
        lines.append(
            f"| PostgreSQL, from its CPU during the 1× replay ({unit:.1f} ms per signature; one "
            f"server: scale it up, not out) | {cores:.1f} | {machines} |"
        )
    replay = results.edge.replay if results.edge else None
    if replay is not None and replay.signed:
        for name, label in (("gunicorn", "App servers behind the edge"), ("nginx", "Edge (nginx)"), ("deliverer", "Delivery behind the edge")):  # fmt: skip
            unit = 1000 * replay.cpu[name] / replay.signed
            cores, machines = _machines(SURGE_SIGNATURES * unit)
            lines.append(
                f"| {label}, from the edge replay at {replay.multiple:g}× ({unit:.2f} ms per "
                f"signature) | {cores:.1f} | {machines} |"
            )
    if not lines:
        return
    print(
        f"\nCapacity for a surge of {SURGE_SIGNATURES:,} signatures/s (each with its confirmation, "
        f"10 page views and 20 JSON polls, as in the replay; no CDN in front), counted in "
        f"{CORES}-core machines each planned at {BUSY:.0%} busy, from CPU measured above:\n"
    )
    print("| Role | Cores busy | Machines |")
    print("| --- | ---: | ---: |")
    print("\n".join(lines))
    if not database:
        print(
            "\nPostgreSQL was not measured in this run: assume one server with fast disks, sized "
            "from the replay on PostgreSQL (`python bench/run.py surge`)."
        )
    print(
        "\nA CDN answering the JSON polls (public, max-age 5 s) takes 20 of the 32 requests per "
        "signature off the app servers."
    )
