"""Reads an iCalendar file with the `icalendar` package and prints its events as JSON, with
times in WITA (Asia/Makassar), so that the Rust test can compare them with the agenda API."""

import json
import sys
from zoneinfo import ZoneInfo

import icalendar

WITA = ZoneInfo("Asia/Makassar")


def when(component, name):
    value = component.get(name)
    if value is None:
        return None
    dt = value.dt
    if dt.tzinfo is None:
        raise SystemExit(f"{name} without a time zone: {dt!r}")
    return dt.astimezone(WITA).isoformat()


def categories(component):
    value = component.get("CATEGORIES", [])
    lists = value if isinstance(value, list) else [value]
    return [str(c) for cats in lists for c in cats.cats]


def main(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    events = []
    for ev in cal.walk("VEVENT"):
        events.append(
            {
                "uid": str(ev["UID"]),
                "summary": str(ev["SUMMARY"]),
                "location": str(ev.get("LOCATION", "")),
                "description": str(ev.get("DESCRIPTION", "")),
                "url": str(ev.get("URL", "")),
                "status": str(ev.get("STATUS", "")),
                "sequence": int(ev.get("SEQUENCE", -1)),
                "categories": categories(ev),
                "start": when(ev, "DTSTART"),
                "end": when(ev, "DTEND"),
                "dtstamp": when(ev, "DTSTAMP"),
                "last_modified": when(ev, "LAST-MODIFIED"),
            }
        )
    print(
        json.dumps(
            {
                "name": str(cal.get("X-WR-CALNAME", "")),
                "timezone": str(cal.get("X-WR-TIMEZONE", "")),
                "events": events,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
