#!/usr/bin/python3
"""Seed 003 (Tam Đường's analysis of its PAR INDEX 2023) typed as a table, and the check of
a report against it: python3 seed003.py REPORT.md. Prints each figure that differs; exit 1
when any does.

Percentages are compared at the precision 003 prints each (70,5 %: one decimal; 98,79 %:
two), to within 0,01 of it: 003 works them out by hand and is not consistent in how (it
truncates 60,5185 % to 60,51 but rounds 86,6667 % to 86,67). Its changes are differences of
those printed shares (36,2 - 34,71 = 1,49), so ours are checked the same way: our two
shares at 003's precision, subtracted. Every other figure must be as 003 prints it.
"""
import re
import sys

YEARS = {  # year: (appraised, survey, total, rank)
    "2022": ("48,04", "24,03", "72,07", "3/8"),
    "2023": ("55,81", "22,30", "78,12", "4/8"),
}
# area: points 2022, points 2023 (2 decimals as the report prints them), % 2022, % 2023,
# change, rank, units with the same points, units ahead (003's words)
AREAS = {
    "1": ("8,17", "9,52", "60,51", "70,5", "+9,99", 4, [], ["Than Uyên", "Tân Uyên", "Lai Châu"]),
    "2": ("4,50", "5,00", "90", "100", "+10", 1, ["Mường Tè", "Phong Thổ"], []),
    "3": ("10,50", "13,48", "77,77", "99,8", "+22,03", 1, ["Lai Châu"], []),
    "4": ("6,50", "7,41", "86,67", "98,79", "+12,12", 4, [], ["Tân Uyên", "Phong Thổ", "Sìn Hồ"]),
    "5": ("6,50", "5,50", "81,25", "68,75", "-12,5", 2, ["Mường Tè", "Than Uyên", "Phong Thổ", "Nậm Nhùn"], None),
    "6": ("2,43", "2,54", "34,71", "36,2", "+1,49", 7, [], None),
    "7": ("9,44", "10,87", "75,52", "86,99", "+11,47", 5, [], None),
    "8": ("24,03", "23,80", "72,82", "72,13", "-0,69", 4, [], None),
}
# criterion: points lost as 003 prints them, and words of its reason
DEDUCTIONS = {
    "1.2.1": ("0,50", "ngày trình và chuyển văn bản là 26/5/2023 - yêu cầu gửi chậm nhất ngày 25/5/2023"),
    "1.2.6": ("0,50", "UBND huyện nộp Báo cáo số 298/BC-UBND ngày 01/3/2024, Sở Tài chính nhận được ngày 11/3/2024"),
    "1.4": ("0,50", "tổ chức cuộc thi tìm hiểu về CCHC, hội nghị, tập huấn chuyên đề về CCHC"),
    "1.7": ("2,00", "(Trưởng Ban quản lý rừng phòng hộ) bị kỷ luật"),
    "3.4": ("0,02", "07 hồ sơ chuyển mục đích sử dụng đất lĩnh vực đất đai của Phòng Tài nguyên - Môi trường"),
    "5.5.1": ("0,50", "01 công chức Phòng Tư pháp bị kỷ luật"),
    "5.5.2": ("2,00", "01 viên chức lãnh đạo quản lý bị kỷ luật với hình thức cách chức"),
    "6.1": ("1,00", "Kết luận số 320/KL-UBND ngày 24/4/2023 (UBND xã Bản Bo: 36.370.000 đồng)"),
    "6.2.1": ("1,00", "Sai phạm thu hồi 29,504 triệu đồng"),
    "6.2.2": ("1,50", "không có đơn vị SNCL nào tăng mức độ tự chủ"),
    "6.5": ("0,25", "Phương án sắp xếp xử lý nhà đất của huyện đạt 62%"),
    "7.3.3": ("0,47", "toàn trình phát sinh hồ sơ còn thấp"),
    "7.3.6": ("0,78", "thanh toán trực tuyến 46, số TTHC có phát sinh giao dịch thanh toán trực tuyến 10"),
    "7.3.7": ("0,26", "phạm vi đánh giá 2818; số hồ sơ có phát sinh giao dịch thanh toán trực tuyến 1339"),
    "8.7": ("1,00", "hợp tác xã, hộ kinh doanh cá thể năm 2023 thấp hơn năm 2022"),
    "8.9": ("0,50", "35/38 chỉ tiêu chủ yếu về phát triển KTXH đạt và vượt kế hoạch, đạt 92,1%"),
}


def vn(s):
    """78,12 -> 78.12; +9,99 -> 9.99; -0,69 -> -0.69"""
    return float(s.replace(".", "").replace(",", ".").replace("+", ""))


def main(path):
    text = open(path, encoding="utf-8").read()
    bad = []

    def want(what, ok):
        if not ok:
            bad.append(what)

    for y, (appr, surv, total, rank) in YEARS.items():
        want("year %s: %s, %s, %s, %s" % (y, appr, surv, total, rank),
             "| %s | %s | %s | %s | %s |" % (y, appr, surv, total, rank) in text)
    want("the rank sentence", "đạt 78,12 điểm, xếp thứ 4/8 huyện, thành phố" in text and
         "giảm 1 bậc so với năm 2022" in text)
    for a, (p22, p23, c22, c23, ch, rank, tied, ahead) in AREAS.items():
        want("area %s points %s -> %s" % (a, p22, p23),
             re.search(r"^\| %s \| [^|]+ \| %s/[0-9,]+ \| %s/[0-9,]+ \|$" % (a, re.escape(p22), re.escape(p23)), text,
                       re.M) is not None)
        m = re.search(r"^\| %s \| [^|]+ \| ([0-9,]+) \| ([0-9,]+) \| ([-+0-9,]+) \| (\d+)/8( \(đồng hạng\))? \|$" % a,
                      text, re.M)
        if not m:
            bad.append("area %s: no row in the table of shares" % a)
            continue
        at003 = []
        for got, exp, name in ((m.group(1), c22, "2022 %"), (m.group(2), c23, "2023 %")):
            places = len(exp.split(",")[1]) if "," in exp else 0
            ours = round(vn(got), places)  # ours as 003 would print it
            at003.append(ours)
            want("area %s %s: %s, 003 %s" % (a, name, got, exp), abs(ours - vn(exp)) <= 0.01 + 1e-9)
        want("area %s change: %s (from our shares as 003 prints them: %+.2f), 003 %s" %
             (a, m.group(3), at003[1] - at003[0], ch), abs((at003[1] - at003[0]) - vn(ch)) <= 0.01 + 1e-9)
        want("area %s rank %s, 003 %d" % (a, m.group(4), rank), int(m.group(4)) == rank)
        want("area %s tie %s" % (a, "said" if tied else "not said"), bool(m.group(5)) == bool(tied))
        sec = re.search(r"^#+ 2\.%s\. .*?(?=^#+ )" % a, text, re.M | re.S)
        body = sec.group(0) if sec else ""
        for u in tied:
            want("area %s: tied with %s" % (a, u), re.search(r"bằng điểm với[^.]*%s" % u, body) is not None)
        for u in ahead or []:
            want("area %s: after %s" % (a, u), re.search(r"sau [^.;]*%s" % u, body) is not None)
    for cid, (lost, words) in DEDUCTIONS.items():
        m = re.search(r"Tiêu chí %s\. [^\n]*\(bị trừ ([0-9,]+) điểm\):\*\* ([^\n]*)" % re.escape(cid), text)
        if not m:
            bad.append("deduction %s: not in the report" % cid)
            continue
        want("deduction %s: %s points, 003 %s" % (cid, m.group(1), lost), m.group(1) == lost)
        want("deduction %s: the reason in full" % cid, words in m.group(2))
    for b in bad:
        print("differs from seed 003: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
