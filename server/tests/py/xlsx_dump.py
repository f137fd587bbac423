"""Opens an XLSX workbook with openpyxl and prints every sheet as JSON: per cell its value
(dates as ISO text), its type and its number format, so that the Rust test can compare the
spreadsheet with the JSON API."""

import datetime
import json
import sys

import openpyxl


def cell(c):
    value = c.value
    if isinstance(value, (datetime.datetime, datetime.date)):
        value = value.isoformat()
    return {"value": value, "type": c.data_type, "is_date": c.is_date, "format": c.number_format}


def main(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [[cell(c) for c in row] for row in ws.iter_rows()]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
