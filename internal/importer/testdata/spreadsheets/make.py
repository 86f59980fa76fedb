#!/usr/bin/env python3
"""Makes the spreadsheet-written test files of this directory with LibreOffice.

Each sheet is written by hand as a flat OpenDocument spreadsheet (.fods) with
typed date cells and the number formats a user would pick, then LibreOffice
(soffice --headless) saves it the way a spreadsheet user would. Run from this
directory: python3 make.py (needs soffice on PATH; LibreOffice 7.4 was used).
"""
import os, shutil, subprocess, tempfile

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')

def part(kind, **a):
    if kind == "text":
        return "<number:text>%s</number:text>" % a["t"]
    return '<number:%s number:style="long"/>' % kind

def style(name, pattern):
    """pattern: tokens D M Y h m s or literal text."""
    m = {"D": "day", "M": "month", "Y": "year", "h": "hours", "m": "minutes", "s": "seconds"}
    body = "".join(part(m[t]) if t in m else part("text", t=t) for t in pattern)
    return '<number:date-style style:name="%s">%s</number:date-style>' % (name, body)

def fods(header, rows, datestyles):
    """rows: lists of str (text) or (iso, shown, style) tuples (dates)."""
    styles = "".join(style(n, p) for n, p in datestyles.items())
    styles += "".join('<style:style style:name="c%s" style:family="table-cell" style:data-style-name="%s"/>' % (n, n)
                      for n in datestyles)
    def cell(v):
        if isinstance(v, tuple):
            iso, shown, st = v
            return ('<table:table-cell table:style-name="c%s" office:value-type="date" office:date-value="%s">'
                    '<text:p>%s</text:p></table:table-cell>' % (st, iso, shown))
        if v == "":
            return "<table:table-cell/>"
        return '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % v
    trs = "".join("<table:table-row>%s</table:table-row>" % "".join(cell(v) for v in r) for r in [header] + rows)
    return ('<?xml version="1.0" encoding="UTF-8"?><office:document %s office:version="1.2" '
            'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
            '<office:automatic-styles>%s</office:automatic-styles><office:body><office:spreadsheet>'
            '<table:table table:name="Sheet1">%s</table:table></office:spreadsheet></office:body></office:document>'
            % (NS, styles, trs))

def convert(src, target, name, tmp):
    out = os.path.join(tmp, "out")
    subprocess.run(["soffice", "--headless", "--convert-to", target, "--outdir", out, src],
                   check=True, capture_output=True)
    produced = os.path.join(out, os.listdir(out)[0])
    shutil.move(produced, name)

HEADER = ["Person", "System", "Employment Ended At", "Access Removed At", "Ticket"]
FI = {"dt": ["D", ".", "M", ".", "Y", " ", "h", ":", "m"], "d": ["D", ".", "M", ".", "Y"]}
FI_ROWS = [
    ["Aino Virtanen", "github", ("2026-10-05T16:00:00", "05.10.2026 16:00", "dt"), ("2026-10-06T09:30:00", "06.10.2026 09:30", "dt"), "HR-1"],
    ["Jari Mäkinen", "aws", ("2026-10-05T00:00:00", "05.10.2026", "d"), ("2026-10-05T17:15:00", "05.10.2026 17:15", "dt"), "HR-2"],
    ["Liisa Järvi", "okta", ("2026-09-28T08:00:00", "28.09.2026 08:00", "dt"), "", "HR-3; needs &quot;review&quot;"],
]
ISO = {"sec": ["Y", "-", "M", "-", "D", " ", "h", ":", "m", ":", "s"], "t": ["Y", "-", "M", "-", "D", "T", "h", ":", "m", ":", "s"]}
ISO_ROWS = [
    ["Aino Virtanen", "github", ("2026-10-05T16:40:00", "2026-10-05 16:40:00", "sec"), ("2026-10-06T09:30:15", "2026-10-06T09:30:15", "t"), "HR-1"],
    ["Jari Mäkinen", "aws", ("2026-10-05T00:00:00", "2026-10-05 00:00:00", "sec"), ("2026-10-05T16:00:00", "2026-10-05T16:00:00", "t"), "HR-2"],
]
SL = {"dt": ["D", "/", "M", "/", "Y", " ", "h", ":", "m"], "d": ["D", "/", "M", "/", "Y"]}
SL_ROWS = [
    ["Aino Virtanen", "github", ("2026-10-05T16:00:00", "05/10/2026 16:00", "dt"), ("2026-10-06T09:30:00", "06/10/2026 09:30", "dt"), "HR-1"],
    ["Jari Mäkinen", "aws", ("2026-10-25T00:00:00", "25/10/2026", "d"), "", "HR-2"],
]

CSV = "Text - txt - csv (StarCalc)"
with tempfile.TemporaryDirectory() as tmp:
    def sheet(name, rows, styles):
        p = os.path.join(tmp, name + ".fods")
        with open(p, "w", encoding="utf-8") as f:
            f.write(fods(HEADER, rows, styles))
        return p
    fi = sheet("fi", FI_ROWS, FI)
    convert(fi, "xlsx", "access_removals_fi.xlsx", tmp)
    # Semicolon, UTF-8 (76), as shown: what Excel's "CSV UTF-8" writes in a
    # Finnish or German locale, except the byte order mark added below.
    convert(fi, "csv:%s:59,34,76,1" % CSV, "access_removals_fi_semicolon.csv", tmp)
    convert(fi, "tsv:%s:9,34,76,1" % CSV, "access_removals_fi.tsv", tmp)
    # Tab-separated UTF-16 (65535) with a byte order mark: Excel's "Unicode text".
    convert(fi, "txt:%s:9,34,65535,1" % CSV, "access_removals_fi_unicode.txt", tmp)
    convert(sheet("iso", ISO_ROWS, ISO), "csv:%s:44,34,76,1" % CSV, "access_removals_iso_seconds.csv", tmp)
    convert(sheet("sl", SL_ROWS, SL), "csv:%s:44,34,76,1" % CSV, "access_removals_slashed.csv", tmp)

# LibreOffice 7.4 has no "include BOM" option (7.6 has); Excel writes one.
with open("access_removals_fi_semicolon.csv", "rb") as f:
    data = f.read()
if not data.startswith(b"\xef\xbb\xbf"):
    with open("access_removals_fi_semicolon.csv", "wb") as f:
        f.write(b"\xef\xbb\xbf" + data)
