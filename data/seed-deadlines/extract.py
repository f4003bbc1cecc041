#!/usr/bin/python3
"""Cuts the deadline texts out of the source documents (../shared/seeds), one per line,
into 000.txt ... 004.txt here; tests/unit/test_deadline.c reads each with the importer's
own reader (common/deadline.c) and counts how they read (issue 19).

How a deadline text is found differs with the document:

- 002 (Đồng Nai, plan 336/KH-UBND) is a set of tables, one cell a line: in its
  appendices the deadline ("Thời gian hoàn thành") is a row's last cell, the line before
  the next row's number (1, 2, ... or I, II, ...) or the next table.
- 000, 001, 003 and 004 are prose, OCR'd without most diacritics. A task there is an item
  ("- ...", "+ ...", "a) ...", or a clause after ";") and its time limit, when it has one, opens it: "Thường
  xuyên ...", "Hằng năm, ...", "Định kỳ hằng quý, 6 tháng, hằng năm ...", "Đến năm 2025,
  ...", or closes it as "trước ngày ..." / "trong Quý ... năm ...". Such a phrase is cut at
  the first comma, colon or verb that starts the task proper, and kept as OCR wrote it.
  Budget words that look like "thường xuyên" ("chi thường xuyên", recurrent spending) are
  not deadlines and are left out.

Run: python3 data/seed-deadlines/extract.py ../shared/seeds
"""
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))


def fold(s):
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower()


def tables(lines):
    """002: the last cell of each appendix row that has one. A row is its number (1, 2,
    5.3, 2., ... or I, II, ...) and the cells after it: index or content, target, task
    (one line or several "- ..."), deadline. The deadline is a short last cell (40
    characters at most: "Theo thông báo kết quả kiểm tra"); a row whose last line is
    longer or still a task ("- ...") has none (the plan merged it with the row above),
    nor has a row of one cell (a heading: "Chỉ số PAPI")."""
    out = []
    inside = False
    row_start = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+)$")
    cells = None
    for raw in [l for l in lines if l.strip() and not fold(l.strip()).startswith("nguon tra cuu")] + [""]:
        line = raw.strip()
        f = fold(line)
        if f.startswith("thoi gian") and "hoan thanh" in f:
            inside, cells = True, None
            continue
        if not inside:
            continue
        end = not line or row_start.match(line) or f.startswith("phu luc") or f == "stt" or f.startswith("cac nhiem vu")
        if end:
            last = cells[-1] if cells else ""
            if len(cells or []) >= 2 and len(last) <= 40 and not last.startswith(("-", "+")):
                out.append(last)
            cells = [] if row_start.match(line) else None
            if f.startswith("phu luc") or not line:
                inside = False
            continue
        if cells is not None:
            cells.append(line)
    return out


# the time limit that opens a task item (folded text; OCR forms of the same words)
ONGOING = r"(thu\w{0,3}ng xuy\w{1,3}n|lien tuc)"
YEARLY = r"((hang|hiang|moi|mdi) n\w{1,2}m)"
PERIODS = r"((dinh ky|pinh ky)[^,.;:]{0,60}?(hang quy|hang thang|6 thang|hang n\w{1,2}m|hiang nim)[^.;:]*)"
UNTIL = r"((den|dén|pen|pén) n\w{1,2}m 20\d\d)"
BEFORE = r"(truoc ngay \d{1,2}/\d{1,2}/\d{4})"
OPENING = re.compile(r"^(?:[-+]|[a-zđ]\)|\d+\.)?\s*(" + "|".join([PERIODS, UNTIL, YEARLY, ONGOING]) + r")")
CLOSING = re.compile(BEFORE)
NOT_DEADLINE = re.compile(r"chi (thu\w{0,3}ng xuy|dau tu)")


def prose(lines):
    """000, 001, 003, 004: the time phrase that opens (or closes) a task item."""
    text = " ".join(l.strip() for l in lines)
    items = re.split(r"\s(?=[-+] |[a-zđ]\) |\d+\. )|;\s*", text)
    out = []
    for item in items:
        f = fold(item)
        if NOT_DEADLINE.search(f[:40]):
            continue
        m = OPENING.match(f)
        if m:
            start, end = m.span(1)
            phrase = item[start:end]
            # up to the comma or colon that ends the time phrase, at most the phrase itself
            cut = re.split(r"[,:;]", phrase)[0] if not m.group(1).startswith(("dinh", "pinh")) else phrase
            out.append(cut.strip())
            continue
        m = CLOSING.search(f)
        if m:
            out.append(item[m.start(1):m.end(1)].strip())
    return out


def main():
    seeds = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../shared/seeds")
    for name in sorted(os.listdir(seeds)):
        if not re.match(r"00\d_", name):
            continue
        with open(os.path.join(seeds, name), encoding="utf-8") as f:
            lines = f.read().split("\n")
        texts = tables(lines) if name.startswith("002") else prose(lines)
        with open(os.path.join(HERE, name[:3] + ".txt"), "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in texts))
        print(name[:3], len(texts))


if __name__ == "__main__":
    main()
