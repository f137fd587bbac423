"""CalDAV side of the sync comparison (run through `bench/caldav`, which starts Radicale).

Loads a calendar collection with events shaped like Sepiion's generated agenda items
(`testkit/fixtures.rs`), then measures what a CalDAV client pays for the same jobs as
`bench/sync`, every request through `http.client` on a socket that counts the bytes it sends
and receives (HTTP headers and bodies, both directions, as sent: gzip where the server gzips):

- full first sync, the way CalDAV clients do it: a `sync-collection` REPORT with an empty
  sync-token (RFC 6578) for every href, etag and the new token, then `calendar-multiget` REPORTs
  (RFC 4791) of the calendar data in batches;
- the single-request alternative: one `calendar-query` REPORT returning all calendar data;
- no-op sync: a `sync-collection` REPORT with the token of a full sync, nothing changed;
- PUT rate: sequential PUTs of new events into the loaded calendar.

Wall times include the client's decompressing and XML parsing. The CPU time of the Radicale
process (all its threads, from /proc) and of this client are reported beside them, since the
machine may be busy. Every request asks for `Accept-Encoding: gzip`; what Radicale answered with
is reported. The last lines printed are `key=value`.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import gzip
import http.client
import io
import os
import platform
import socket
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median
from typing import TypeVar
from xml.sax.saxutils import escape

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
USER = "bench"
CALENDAR = f"/{USER}/calendar/"
LEADERS = ("bupati", "wakil_bupati")

SYNC_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>\
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""
MULTIGET_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">\
<D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"""
QUERY_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">\
<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR">\
<C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>"""

T = TypeVar("T")


class BenchError(Exception):
    """The server answered something a correct sync cannot go on with."""


@dataclass
class Wire:
    """What a client put on the wire: bytes each way, requests and TCP connections."""

    sent: int = 0
    received: int = 0
    requests: int = 0
    connections: int = 0
    body_bytes: int = 0  # response bodies after decompression (the XML carried)
    encodings: set[str] = field(default_factory=set)  # Content-Encoding of the answers with a body

    @property
    def total(self) -> int:
        """Bytes in both directions."""
        return self.sent + self.received


class _CountingReader(io.RawIOBase):
    """The receiving side of a socket, counting what it reads."""

    def __init__(self, raw: io.RawIOBase, wire: Wire) -> None:
        super().__init__()
        self._raw = raw
        self._wire = wire

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer) or 0
        self._wire.received += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class _CountingSocket:
    """The socket `http.client` sees: counts what is sent and hands out counting readers."""

    def __init__(self, sock: socket.socket, wire: Wire) -> None:
        self._sock = sock
        self._wire = wire

    def sendall(self, data: bytes) -> None:
        self._wire.sent += len(data)
        self._sock.sendall(data)

    def makefile(self, mode: str, *_args: object, **_kwargs: object) -> io.BufferedReader:
        if mode != "rb":
            raise ValueError(f"unexpected makefile mode {mode!r}")
        # A socket's own file object keeps the socket open until it is closed, as http.client
        # expects when it closes the connection before the answer has been read.
        return io.BufferedReader(_CountingReader(self._sock.makefile("rb", buffering=0), self._wire))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> object:
        return getattr(self._sock, name)


class _CountingConnection(http.client.HTTPConnection):
    """An HTTP connection whose every (re)connection counts into `wire`."""

    def __init__(self, host: str, port: int, wire: Wire) -> None:
        super().__init__(host, port, timeout=120)
        self.wire = wire

    def connect(self) -> None:
        super().connect()
        self.wire.connections += 1
        self.sock = _CountingSocket(self.sock, self.wire)


class Client:
    """A CalDAV client (a new device) with its own byte count."""

    def __init__(self, host: str, port: int) -> None:
        self.wire = Wire()
        self._conn = _CountingConnection(host, port, self.wire)
        credentials = base64.b64encode(f"{USER}:{USER}".encode()).decode()
        self._headers = {
            "Authorization": f"Basic {credentials}",
            "User-Agent": "sepiion-bench-caldav",
            "Accept-Encoding": "gzip",
        }

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str], expect: int) -> bytes:
        """Sends one request; returns the answer's body, decompressed, if its status is `expect`."""
        self._conn.request(method, path, body=body, headers={**self._headers, **headers})
        response = self._conn.getresponse()
        data = response.read()
        self.wire.requests += 1
        encoding = response.getheader("Content-Encoding", "identity")
        if data:
            self.wire.encodings.add(encoding)
        if encoding == "gzip":
            data = gzip.decompress(data)
        self.wire.body_bytes += len(data)
        if response.status != expect:
            raise BenchError(f"{method} {path}: {response.status} (expected {expect}): {data[:500]!r}")
        return data

    def report(self, body: str, depth: str | None) -> bytes:
        """A REPORT on the calendar, which answers 207 Multi-Status."""
        headers = {"Content-Type": "application/xml; charset=utf-8"}
        if depth is not None:
            headers["Depth"] = depth
        return self.request("REPORT", CALENDAR, body.encode(), headers, expect=207)

    def put(self, path: str, ics: str, headers: dict[str, str]) -> None:
        """A PUT of iCalendar text that creates a resource (201)."""
        headers = {"Content-Type": "text/calendar; charset=utf-8", **headers}
        self.request("PUT", path, ics.encode(), headers, expect=201)

    def close(self) -> None:
        """Closes the connection, if one is open."""
        self._conn.close()


@dataclass
class Resource:
    """One DAV:response of a multistatus."""

    href: str
    etag: str | None
    calendar_data: str | None


def parse_multistatus(body: bytes) -> tuple[list[Resource], str | None]:
    """The resources and the sync-token (if any) of a DAV:multistatus answer."""
    root = ET.fromstring(body)
    resources = []
    for response in root.findall(f"{DAV}response"):
        etag = data = None
        for propstat in response.findall(f"{DAV}propstat"):
            prop = propstat.find(f"{DAV}prop")
            if prop is not None and " 200 " in propstat.findtext(f"{DAV}status", ""):
                etag = prop.findtext(f"{DAV}getetag")
                data = prop.findtext(f"{CALDAV}calendar-data")
        resources.append(Resource(response.findtext(f"{DAV}href", ""), etag, data))
    return resources, root.findtext(f"{DAV}sync-token")


def vevent_count(resources: list[Resource]) -> int:
    """VEVENTs in the calendar data of `resources`."""
    return sum((r.calendar_data or "").count("BEGIN:VEVENT") for r in resources)


def utc_stamp(t: datetime.datetime) -> str:
    """An iCalendar UTC DATE-TIME."""
    return t.strftime("%Y%m%dT%H%M%SZ")


def vevent_lines(i: int, uid: str, start: datetime.datetime, now: datetime.datetime) -> list[str]:
    """Agenda item number `i` as a VEVENT, as `fixtures::agenda_item` shapes it for Sepiion."""
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"CREATED:{utc_stamp(now)}",
        f"LAST-MODIFIED:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(start)}",
        f"DTEND:{utc_stamp(start + datetime.timedelta(minutes=90))}",
        f"SUMMARY:Kegiatan pimpinan nomor {i}",
        "LOCATION:Gedung Mahudara Mandala Giri\\, Semarapura",
        "CATEGORIES:Rapat",
        f"CLASS:{('PUBLIC', 'PRIVATE')[i % 2]}",
        "STATUS:CONFIRMED",
        "DESCRIPTION:1. Pembukaan\\n2. Sambutan\\n3. Acara inti\\n4. Penutup",
        f"X-SEPIION-LEADER:{LEADERS[i % 2]}",
        "X-SEPIION-DRESS-CODE:Pakaian dinas harian",
        "X-SEPIION-STAFF:Komang Ajudan (Ajudan)",
        "END:VEVENT",
    ]


def vcalendar(vevents: list[list[str]]) -> str:
    """A VCALENDAR object holding `vevents`, CRLF line ends."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Sepiion//bench caldav//ID"]
    for vevent in vevents:
        lines.extend(vevent)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def item_start(i: int, events: int, first_day: datetime.datetime) -> datetime.datetime:
    """Start of item `i`: both leaders' items spread over a year, as `load.rs` spreads them."""
    j = i // 2
    per_leader = max(events // 2, 1)
    return first_day + datetime.timedelta(days=j * 365 // per_leader, hours=3 * (j % 3))


def first_day() -> datetime.datetime:
    """Tomorrow, 09:00 in WITA (01:00 UTC)."""
    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=1, minute=0, second=0, microsecond=0)
    return today + datetime.timedelta(days=1)


@dataclass
class Sample:
    """One measured run."""

    ms: float
    radicale_cpu_ms: float
    client_cpu_ms: float
    wire: Wire


class Radicale:
    """The server process, for its CPU time."""

    def __init__(self, pid: int) -> None:
        self._stat = f"/proc/{pid}/stat"
        self._tick_ms = 1000 / os.sysconf("SC_CLK_TCK")

    def cpu_ms(self) -> float:
        """User plus system CPU time of the process, all threads, in ms."""
        with open(self._stat, encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # Fields 14 and 15 of proc(5) (utime, stime); the list starts at field 3.
        return (int(fields[11]) + int(fields[12])) * self._tick_ms


def measure(radicale: Radicale, client: Client, job: Callable[[Client], T]) -> tuple[Sample, T]:
    """Runs `job` by `client`; measures wall time, both processes' CPU time and the wire."""
    server_cpu, client_cpu = radicale.cpu_ms(), time.process_time()
    started = time.perf_counter()
    result = job(client)
    ms = (time.perf_counter() - started) * 1000
    client_cpu_ms = (time.process_time() - client_cpu) * 1000
    return Sample(ms, radicale.cpu_ms() - server_cpu, client_cpu_ms, client.wire), result


def full_sync_multiget(client: Client, events: int, batch: int) -> str:
    """A first sync: every href and etag with a new sync-token, then the data by multiget.

    Returns the sync-token; fails unless exactly `events` VEVENTs came back, with the etags the
    sync-collection REPORT listed.
    """
    listing, token = parse_multistatus(client.report(SYNC_REQUEST.format(token=""), depth="0"))
    if token is None or len(listing) != events or any(r.etag is None for r in listing):
        raise BenchError(f"sync-collection listed {len(listing)} resources (token {token!r}), not {events}")
    etags = {r.href: r.etag for r in listing}
    hrefs = list(etags)
    fetched: list[Resource] = []
    for first in range(0, len(hrefs), batch):
        listed = "".join(f"<D:href>{escape(href)}</D:href>" for href in hrefs[first : first + batch])
        fetched.extend(parse_multistatus(client.report(MULTIGET_REQUEST.format(hrefs=listed), depth=None))[0])
    if {r.href: r.etag for r in fetched} != etags:
        raise BenchError("calendar-multiget did not return the hrefs and etags sync-collection listed")
    if vevent_count(fetched) != events:
        raise BenchError(f"calendar-multiget returned {vevent_count(fetched)} VEVENTs, not {events}")
    return token


def full_sync_query(client: Client, events: int) -> None:
    """A first sync in one calendar-query REPORT; fails unless it returns `events` VEVENTs."""
    resources, _ = parse_multistatus(client.report(QUERY_REQUEST, depth="1"))
    if len(resources) != events or vevent_count(resources) != events:
        raise BenchError(
            f"calendar-query returned {len(resources)} resources, "
            f"{vevent_count(resources)} VEVENTs, not {events}"
        )


def noop_sync(client: Client, token: str) -> None:
    """An incremental sync with nothing to fetch; fails unless nothing changed."""
    answer = client.report(SYNC_REQUEST.format(token=escape(token)), depth="0")
    resources, new_token = parse_multistatus(answer)
    if resources or new_token != token:
        raise BenchError(f"no-op sync listed {len(resources)} changes, token {token!r} -> {new_token!r}")


def report_runs(name: str, samples: list[Sample]) -> None:
    """One line per run on stderr."""
    for run, s in enumerate(samples):
        print(
            f"{name} run {run}: {s.ms:.1f} ms wall, {s.wire.total} bytes ({s.wire.sent} sent), "
            f"{s.wire.requests} requests, "
            f"Radicale CPU {s.radicale_cpu_ms:.0f} ms, client CPU {s.client_cpu_ms:.0f} ms",
            file=sys.stderr,
        )


def figures(prefix: str, samples: list[Sample], events: int | None) -> list[str]:
    """The key=value lines of a measured phase: medians over its runs."""
    total_bytes = median([s.wire.total for s in samples])
    lines = [
        f"{prefix}_ms={median([s.ms for s in samples]):.1f}",
        f"{prefix}_min_ms={min(s.ms for s in samples):.1f}",
        f"{prefix}_radicale_cpu_ms={median([s.radicale_cpu_ms for s in samples]):.0f}",
        f"{prefix}_cpu_ms={median([s.radicale_cpu_ms + s.client_cpu_ms for s in samples]):.0f}",
        f"{prefix}_bytes={total_bytes:.0f}",
        f"{prefix}_sent_bytes={median([s.wire.sent for s in samples]):.0f}",
    ]
    if events:
        lines += [
            f"{prefix}_bytes_per_event={total_bytes / events:.1f}",
            f"{prefix}_xml_bytes={median([s.wire.body_bytes for s in samples]):.0f}",
        ]
    lines.append(f"{prefix}_round_trips={median([s.wire.requests for s in samples]):.0f}")
    return lines


def main() -> None:
    """Loads the calendar, measures, prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="Radicale's port on 127.0.0.1")
    parser.add_argument("--pid", type=int, required=True, help="Radicale's process id, for its CPU time")
    parser.add_argument("--radicale-version", required=True)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100, help="hrefs per calendar-multiget")
    parser.add_argument("--puts", type=int, default=50)
    args = parser.parse_args()
    if args.events < 1 or args.runs < 1 or args.batch < 1 or args.puts < 1:
        parser.error("--events, --runs, --batch and --puts must be positive")
    host, events, runs = "127.0.0.1", args.events, args.runs
    radicale = Radicale(args.pid)

    def new_client() -> Client:
        """A new device."""
        return Client(host, args.port)

    def timed_runs(name: str, job: Callable[[Client], T]) -> tuple[list[Sample], list[T]]:
        """`runs` measured runs of `job`, each by a new device."""
        samples, results = [], []
        for _ in range(runs):
            client = new_client()
            sample, result = measure(radicale, client, job)
            client.close()
            samples.append(sample)
            results.append(result)
        report_runs(name, samples)
        return samples, results

    # Load: the whole calendar in one PUT of the collection (Radicale stores one resource per
    # UID). Not a figure.
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    day = first_day()
    vevents = [vevent_lines(i, str(uuid.uuid4()), item_start(i, events, day), now) for i in range(events)]
    ics_bytes = sum(len(vcalendar([vevent]).encode()) for vevent in vevents)
    loader = new_client()
    loader.request("PROPFIND", f"/{USER}/", b"", {"Depth": "0"}, expect=207)  # creates the principal
    started = time.perf_counter()
    loader.put(CALENDAR, vcalendar(vevents), headers={})
    loader.close()
    print(
        f"loaded {events} events ({ics_bytes / events:.0f} bytes of iCalendar each) in one collection PUT: "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )

    # Warm-up: Radicale fills its item cache on the first read.
    started = time.perf_counter()
    warm = new_client()
    full_sync_multiget(warm, events, args.batch)
    full_sync_query(warm, events)
    warm.close()
    print(f"warm-up (one full sync of each kind): {time.perf_counter() - started:.1f} s", file=sys.stderr)

    full, tokens = timed_runs(
        "full sync (sync-collection + multiget)", lambda c: full_sync_multiget(c, events, args.batch)
    )
    query, _ = timed_runs("full sync (calendar-query)", lambda c: full_sync_query(c, events))
    noop, _ = timed_runs("no-op sync", lambda c: noop_sync(c, tokens[-1]))

    # PUT rate: new events, one after the other, into the loaded calendar.
    writer = new_client()

    def put_all(client: Client) -> None:
        for i in range(events, events + args.puts):
            uid = str(uuid.uuid4())
            ics = vcalendar([vevent_lines(i, uid, item_start(i, events, day), now)])
            client.put(f"{CALENDAR}{uid}.ics", ics, headers={"If-None-Match": "*"})

    put, _ = measure(radicale, writer, put_all)
    writer.close()
    print(
        f"PUT: {args.puts} events in {put.ms:.0f} ms, Radicale CPU {put.radicale_cpu_ms:.0f} ms",
        file=sys.stderr,
    )

    encodings = set().union(*(s.wire.encodings for s in full + query + noop))
    with open("/proc/loadavg", encoding="ascii") as f:
        print(f"load: {f.read().strip()}")
    print(f"radicale_version={args.radicale_version}")
    print(f"radicale_python={platform.python_version()} ({sys.base_prefix})")
    print(f"caldav_events={events}")
    print(f"caldav_runs={runs}")
    print(f"caldav_multiget_batch={args.batch}")
    print(f"caldav_response_encoding={','.join(sorted(encodings))}")
    print(f"caldav_connections_per_request={full[0].wire.connections / full[0].wire.requests:.0f}")
    print(f"caldav_icalendar_bytes_per_event={ics_bytes / events:.0f}")
    for line in (
        figures("caldav_full_sync", full, events)
        + figures("caldav_query_sync", query, events)
        + figures("caldav_noop_sync", noop, None)
    ):
        print(line)
    print(f"caldav_put_per_s={args.puts / (put.ms / 1000):.1f}")
    print(f"caldav_put_radicale_cpu_ms_per_put={put.radicale_cpu_ms / args.puts:.1f}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit(f"caldav: {e}")
