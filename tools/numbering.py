#!/usr/bin/env python3
"""Writes the numbering plan the guard places numbers by, from libphonenumber's
resources/PhoneNumberMetadata.xml (Apache-2.0): src/numbering/plan.txt, read by
src/numbering.rs, and src/numbering/examples.txt, its tests' table.

usage: tools/numbering.py PhoneNumberMetadata.xml LIBPHONENUMBER_VERSION

plan.txt has a line a territory: its calling code, its region (001 for a code of no
country), the leading digits that claim a number for it (or -), then the national
number patterns of the general description and of each type in TYPES's order (- where
it has none). Within a calling code the main country comes first and the rest in the
metadata's order, as libphonenumber tries them. Every pattern is checked to use only the syntax src/numbering.rs reads.

To keep the binary small (the plan is most of what the guard adds to it), the
patterns are written short, each step undone by src/numbering.rs: `(?:` as `(` and
`\d` as `d`; a pattern met before as `@OFFSET`, the byte of the file where it was
first written; then byte pair encoding: the second line lists `Sxy` entries, each
symbol S standing for the two symbols x and y (each a symbol of the syntax or an
earlier entry's), and the patterns are written with them, but for the North American
plan's (+1), which stay whole: most numbers mfa sends to are there, and a whole
pattern is read where it lies, with no copy.

examples.txt has a line an example number: calling code, region, type, number.
"""

import re
import sys
import xml.etree.ElementTree as ET

# The order of the types in a line; src/numbering.rs reads them by this index.
TYPES = [
    ("fixedLine", "fixed-line"),
    ("mobile", "mobile"),
    ("tollFree", "toll-free"),
    ("premiumRate", "premium-rate"),
    ("sharedCost", "shared-cost"),
    ("personalNumber", "personal-number"),
    ("voip", "voip"),
    ("pager", "pager"),
    ("uan", "uan"),
    ("voicemail", "voicemail"),
]

# Digits, \d, classes of digits and ranges, (?:...) groups, |, ?, {n} and {n,m}.
SYNTAX = re.compile(r"^(?:[0-9|?]|\\d|\[(?:[0-9](?:-[0-9])?)+\]|\(\?:|\(|\)|\{\d+(?:,\d+)?\})*$")


def pattern(desc):
    if desc is None:
        return None
    node = desc.find("nationalNumberPattern")
    if node is None:
        return None
    text = re.sub(r"\s", "", node.text)
    if not SYNTAX.match(text):
        sys.exit(f"a pattern beyond the syntax read: {text}")
    return text


# The calling code whose patterns are not byte-pair encoded.
WHOLE_CODE = "1"

# The symbols byte pair encoding may use: none of the syntax's, nor `@` or a space.
SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcefghijklmnopqrstuvwxyz!\"#$%&'*+/;<=>^_`~"


def shorten(plan):
    """The plan's rows with their patterns written short (a pattern met before as the
    (row, field) where it was first met), and the pairs line."""
    first, rows = {}, []
    for i, fields in enumerate(plan):
        row = fields[:3]
        if row[2] != "-":
            row[2] = row[2].replace("(?:", "(").replace("\\d", "d")
        for j, pattern in enumerate(fields[3:], start=3):
            if pattern != "-" and pattern in first:
                row.append(first[pattern])
                continue
            if pattern != "-":
                first[pattern] = (i, j)
            row.append(pattern.replace("(?:", "(").replace("\\d", "d"))
        rows.append(row)
    # The North American plan's lines stay whole (1.4 KiB more): most numbers mfa
    # sends to are there, and a whole pattern is read where it lies, with no copy.
    written = [(row, j) for row in rows for j in range(2, len(row))
               if isinstance(row[j], str) and row[j] != "-" and row[0] != WHOLE_CODE]
    pairs = []
    for symbol in SYMBOLS:
        counts = {}
        for row, j in written:
            text = row[j]
            for a, b in zip(text, text[1:]):
                counts[a + b] = counts.get(a + b, 0) + 1
        if not counts:
            break
        pair = max(counts, key=lambda p: counts[p])
        if counts[pair] < 4:
            break
        pairs.append(symbol + pair)
        for row, j in written:
            row[j] = row[j].replace(pair, symbol)
    return rows, " ".join(pairs)


def assemble(head, pairs, rows):
    """The plan's text, each reference written as the byte offset and length of its
    pattern."""
    text = head + "\n" + pairs + "\n"
    places = {}
    for i, row in enumerate(rows):
        fields = []
        for j, field in enumerate(row):
            if isinstance(field, tuple):
                field = "@%d+%d" % places[field]
            start = len((text + " ".join(fields + [""])).encode())
            places[(i, j)] = (start, len(field.encode()))
            fields.append(field)
        text += " ".join(fields) + "\n"
    return text


def main(path, version):
    root = ET.parse(path).getroot()
    territories = list(root.find("territories"))
    by_code = {}
    for t in territories:
        code = t.get("countryCode")
        if t.get("mainCountryForCode") == "true":
            by_code.setdefault(code, []).insert(0, t)
        else:
            by_code.setdefault(code, []).append(t)
    plan, examples = [], []
    for code in sorted(by_code, key=int):
        for t in by_code[code]:
            region = t.get("id")
            leading = re.sub(r"\s", "", t.get("leadingDigits") or "") or "-"
            if leading != "-" and not SYNTAX.match(leading):
                sys.exit(f"leading digits beyond the syntax read: {leading}")
            fields = [code, region, leading, pattern(t.find("generalDesc")) or "-"]
            for element, name in TYPES:
                desc = t.find(element)
                fields.append(pattern(desc) or "-")
                example = desc.find("exampleNumber") if desc is not None else None
                if example is not None:
                    examples.append(f"{code} {region} {name} {example.text.strip()}")
            plan.append(fields)
    head = (
        f"# libphonenumber {version}, resources/PhoneNumberMetadata.xml (Apache-2.0), "
        "as written by tools/numbering.py"
    )
    rows, pairs = shorten(plan)
    with open("src/numbering/plan.txt", "w") as out:
        out.write(assemble(head, pairs, rows))
    with open("src/numbering/examples.txt", "w") as out:
        out.write(head + "\n" + "\n".join(examples) + "\n")
    print(f"{len(plan)} territories, {len(examples)} examples")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
