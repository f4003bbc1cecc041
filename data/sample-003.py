#!/usr/bin/python3
"""The sample province, made from seed 003 (Tam Đường's analysis of its PAR INDEX 2023).

Writes framework-par-district.csv and submissions/*.csv. Every figure 003 states comes out
of the scorer: the totals (78,12 / 72,07; appraised 55,81 and 48,04, survey 22,30 and
24,03), each area's points, rank and ties, and each of the 15 deductions 003 gives, with
its reason as 003 words it. Where 003 gives an area's points but not where all of them were
lost (areas 1, 4, 6, 7), the rest is the unit's own self-score on a criterion 003 does not
discuss (1.5, 4.2, 6.3, 7.2), so the areas add up. The seven other districts are invented
to fit 003's ranks: area ranks 4; 1 (with Mường Tè and Phong Thổ); 1 (with TP Lai Châu); 4
(after Tân Uyên, Phong Thổ, Sìn Hồ); 2 (with Mường Tè, Than Uyên, Phong Thổ, Nậm Nhùn); 7;
5; 4. Run it from data/: python3 sample-003.py
"""
import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# (id, name, max, method, formula, owner); areas have no method
def framework(year):
    f = [
        ("1", "Công tác chỉ đạo điều hành cải cách hành chính", 13.5, "", "", "LC-SNV"),
        ("1.1", "Mức độ hoàn thành kế hoạch CCHC", 2, "computed", "share(tasks_done)", "LC-SNV"),
        ("1.2", "Thực hiện chế độ báo cáo CCHC", 2.5, "", "", "LC-SNV"),
        ("1.2.1", "Thực hiện đủ các báo cáo CCHC quý I, 6 tháng, quý III, năm và các báo cáo CCHC đột xuất theo "
                  "yêu cầu của UBND tỉnh, Sở Nội vụ đảm bảo về thời gian, nội dung", 1, "computed",
         "deduct(reports, 0.5, 1)", "LC-SNV"),
        ("1.2.2", "Chất lượng báo cáo CCHC", 1, "self", "", "LC-SNV"),
        ("1.2.6", "Báo cáo kết quả tự chủ, tự chịu trách nhiệm với cơ quan quản lý cấp trên theo quy định", 0.5,
         "self", "", "LC-STC"),
        ("1.3", "Công tác kiểm tra CCHC", 2, "self", "", "LC-SNV"),
        ("1.4", "Công tác tuyên truyền cải cách hành chính", 1.5, "self", "", "LC-SNV"),
        ("1.5", "Sáng kiến, giải pháp mới trong CCHC", 1.5, "self", "", "LC-SNV"),
        ("1.6", "Thực hiện nhiệm vụ UBND tỉnh, Chủ tịch UBND tỉnh giao", 2, "self", "", "LC-VPUB"),
        ("1.7", "Thực hiện công tác CCHC gắn với Chỉ số CCHC hằng năm của tỉnh", 2, "self", "", "LC-SNV"),
        ("2", "Cải cách thể chế", 5, "", "", "LC-STP"),
        ("2.1", "Công tác theo dõi thi hành pháp luật", 1.5, "self", "", "LC-STP"),
        ("2.2", "Rà soát văn bản quy phạm pháp luật", 2, "", "", "LC-STP"),
        ("2.2.1", "Rà soát văn bản quy phạm pháp luật do HĐND, UBND huyện ban hành", 1, "self", "", "LC-STP"),
        ("2.2.2", "Rà soát văn bản quy phạm pháp luật do HĐND, UBND cấp xã ban hành", 1, "self", "", "LC-STP"),
        ("2.3", "Xử lý văn bản trái pháp luật do cơ quan có thẩm quyền kiểm tra kiến nghị", 1.5, "self", "", "LC-STP"),
        ("3", "Cải cách thủ tục hành chính", 13.5, "", "", "LC-VPUB"),
        ("3.1", "Thực hiện rà soát quy định, thủ tục hành chính", 2, "self", "", "LC-VPUB"),
        ("3.2", "Niêm yết, công khai thủ tục hành chính và các quy định có liên quan", 2, "self", "", "LC-VPUB"),
        ("3.3", "Thực hiện cơ chế một cửa, cơ chế một cửa liên thông", 3, "self", "", "LC-VPUB"),
        ("3.4", "Kết quả giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông", 4, "self", "",
         "LC-VPUB"),
        ("3.5", "Xử lý phản ánh, kiến nghị của cá nhân, tổ chức đối với thủ tục hành chính", 1.5, "self", "",
         "LC-VPUB"),
        ("3.6", "Thực hiện các nhiệm vụ, mục tiêu của Chính phủ, UBND tỉnh giao", 1, "self", "", "LC-VPUB"),
        ("4", "Cải cách tổ chức bộ máy hành chính", 7.5, "", "", "LC-SNV"),
        ("4.1", "Sắp xếp, kiện toàn tổ chức bộ máy của các cơ quan, đơn vị", 3, "self", "", "LC-SNV"),
        ("4.2", "Thực hiện quy định về sử dụng biên chế được cấp có thẩm quyền giao", 3, "self", "", "LC-SNV"),
        ("4.3", "Thực hiện phân cấp quản lý", 1.5, "self", "", "LC-SNV"),
        ("5", "Cải cách chế độ công vụ", 8, "", "", "LC-SNV"),
        ("5.1", "Vị trí việc làm và cơ cấu ngạch công chức, chức danh nghề nghiệp viên chức", 1.5, "self", "",
         "LC-SNV"),
        ("5.2", "Tuyển dụng, nâng ngạch, thăng hạng và bổ nhiệm công chức, viên chức", 1.5, "self", "", "LC-SNV"),
        ("5.3", "Đào tạo, bồi dưỡng cán bộ, công chức, viên chức", 1, "self", "", "LC-SNV"),
        ("5.4", "Cán bộ, công chức cấp xã đạt chuẩn", 1, "self", "", "LC-SNV"),
        ("5.5", "Đánh giá, kỷ luật, kỷ cương hành chính", 3, "", "", "LC-SNV"),
        ("5.5.1", "Kết quả đánh giá, xếp loại công chức, viên chức, người lao động trong cơ quan, đơn vị", 1,
         "self", "", "LC-SNV"),
        ("5.5.2", "Chấp hành kỷ luật, kỷ cương hành chính của cán bộ, công chức, viên chức", 2, "self", "",
         "LC-SNV"),
        ("6", "Cải cách tài chính công", 7, "", "", "LC-STC"),
        ("6.1", "Thực hiện chế độ tự chủ, tự chịu trách nhiệm tại các đơn vị quản lý nhà nước", 1, "self", "",
         "LC-STC"),
        ("6.2", "Thực hiện cơ chế tự chủ tại đơn vị sự nghiệp công lập", 2.5, "", "", "LC-STC"),
        ("6.2.1", "Thực hiện chế độ tự chủ, tự chịu trách nhiệm về sử dụng kinh phí tại các đơn vị sự nghiệp công "
                  "lập", 1, "self", "", "LC-STC"),
        ("6.2.2", "Tăng mức độ tự chủ của đơn vị sự nghiệp công lập", 1.5, "self", "", "LC-STC"),
        ("6.3", "Giải ngân kế hoạch vốn đầu tư công", 1.5, "self", "", "LC-SKHDT"),
        ("6.4", "Thực hiện kiến nghị sau thanh tra, kiểm tra, kiểm toán về tài chính, ngân sách", 1, "self", "",
         "LC-STC"),
        ("6.5", "Thực hiện quy định sắp xếp lại, xử lý nhà, đất thuộc thẩm quyền quản lý", 1, "self", "",
         "LC-STC"),
        ("7", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", 12.5, "", "", "LC-STTTT"),
        ("7.1", "Xây dựng, hoàn thiện cơ chế chính sách để triển khai xây dựng và phát triển chính quyền điện tử, "
                "chính quyền số", 2, "self", "", "LC-STTTT"),
        ("7.2", "Phát triển các ứng dụng, dịch vụ trong nội bộ cơ quan nhà nước", 3.5, "self", "", "LC-STTTT"),
        ("7.3", "Phát triển ứng dụng, dịch vụ phục vụ người dân, tổ chức", 7, "", "", "LC-STTTT"),
        ("7.3.1", "Cung cấp dịch vụ công trực tuyến toàn trình", 1.5, "self", "", "LC-STTTT"),
        ("7.3.2", "Tích hợp, công khai thủ tục hành chính trên Cổng dịch vụ công quốc gia", 1, "self", "",
         "LC-STTTT"),
        ("7.3.3", "Tỷ lệ TTHC cung cấp trực tuyến mức một phần, toàn trình có phát sinh hồ sơ", 1.5, "self", "",
         "LC-STTTT"),
        ("7.3.4", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", 1, "self", "", "LC-STTTT"),
        ("7.3.5", "Kết nối, chia sẻ dữ liệu với các cơ sở dữ liệu quốc gia", 0.5, "self", "", "LC-STTTT"),
        ("7.3.6", "Tỷ lệ TTHC phát sinh giao dịch thanh toán trực tuyến", 1, "computed",
         "ratio(procedures_online_payment/procedures_offered)", "LC-STTTT"),
        ("7.3.7", "Tỷ lệ hồ sơ thanh toán trực tuyến", 0.5, "computed", "ratio(dossiers_paid_online/dossiers_total)",
         "LC-STTTT"),
        ("8", "Tác động của cải cách hành chính đến người dân, tổ chức và các chỉ tiêu phát triển kinh tế - xã hội",
         33, "", "", "LC-SNV"),
    ]
    survey_max = 5 if year == 2023 else 5.5  # 2022's area 8 is the survey only
    for i, name in enumerate(["Tác động của cải cách thể chế", "Tác động của cải cách thủ tục hành chính",
                              "Tác động của cải cách tổ chức bộ máy hành chính",
                              "Tác động của cải cách chế độ công vụ", "Tác động của cải cách tài chính công",
                              "Tác động của xây dựng và phát triển chính quyền điện tử, chính quyền số"]):
        f.append(("8.%d" % (i + 1), name + " đến người dân, tổ chức", survey_max, "survey", "", "LC-SNV"))
    if year == 2023:  # from 2023 the district level is appraised on three more (003, 2.8)
        f += [("8.7", "Mức độ phát triển hợp tác xã, hộ kinh doanh cá thể", 1, "self", "", "LC-SKHDT"),
              ("8.8", "Thực hiện thu ngân sách nhà nước hằng năm", 1, "self", "", "LC-STC"),
              ("8.9", "Mức độ thực hiện các chỉ tiêu chủ yếu về phát triển kinh tế - xã hội của UBND các huyện, "
                      "thành phố được Ủy ban nhân dân tỉnh giao", 1, "self", "", "LC-SKHDT")]
    return f


# Tam Đường, leaf by leaf. kind: score (self), appraisal (with 003's reason), survey, metric.
TDG_2023_SELF = {
    "1.2.2": 1, "1.2.6": 0.5, "1.3": 2, "1.4": 1.5, "1.5": 1.02, "1.6": 2, "1.7": 2,
    "2.1": 1.5, "2.2.1": 1, "2.2.2": 1, "2.3": 1.5,
    "3.1": 2, "3.2": 2, "3.3": 3, "3.4": 4, "3.5": 1.5, "3.6": 1,
    "4.1": 3, "4.2": 2.909, "4.3": 1.5,
    "5.1": 1.5, "5.2": 1.5, "5.3": 1, "5.4": 1, "5.5.1": 1, "5.5.2": 2,
    "6.1": 1, "6.2.1": 1, "6.2.2": 1.5, "6.3": 0.7871, "6.4": 1, "6.5": 1,
    "7.1": 2, "7.2": 3.3884, "7.3.1": 1.5, "7.3.2": 1, "7.3.3": 1.5, "7.3.4": 1, "7.3.5": 0.5,
    "8.7": 1, "8.8": 1, "8.9": 1,
}
TDG_2023_METRICS = [
    ("procedures_online_payment", 10, "Tổng số TTHC đang triển khai thanh toán trực tuyến 46, số TTHC có phát sinh "
                                      "giao dịch thanh toán trực tuyến 10"),
    ("procedures_offered", 46, ""),
    ("dossiers_paid_online", 1339, "Tổng số hồ sơ đã giải quyết của các TTHC thuộc phạm vi đánh giá 2818; số hồ sơ có "
                                   "phát sinh giao dịch thanh toán trực tuyến 1339"),
    ("dossiers_total", 2818, ""),
]
# Sở Nội vụ's appraisal of Tam Đường 2023: each of 003's deductions with its reason in full
TDG_2023_APPRAISAL = [
    ("1.1", 2, "Hoàn thành 32/32 nhiệm vụ của kế hoạch CCHC năm 2023 đã đề ra (đạt 100%)"),
    ("PAR:1.2.1", 0.5, "Báo cáo sơ kết Nghị quyết số 08-NQ/TU muộn, ngày văn bản là 24/5/2023 nhưng ngày trình và "
                       "chuyển văn bản là 26/5/2023 - yêu cầu gửi chậm nhất ngày 25/5/2023"),
    ("1.2.6", 0, "Báo cáo tự chủ của đơn vị không đúng hạn theo Công văn số 2451/STC-TCHCSN ngày 11/12/2023 của Sở "
                 "Tài chính về việc báo cáo kết quả thực hiện cơ chế tự chủ, tự chịu trách nhiệm về tài chính đối với "
                 "cơ quan nhà nước và ĐVSNCL (trước ngày 31/12/2023), UBND huyện nộp Báo cáo số 1593/BC-UBND ngày "
                 "29/12/2023, Sở Tài chính nhận được ngày 11/01/2024; Báo cáo tự chủ của đơn vị không đúng hạn Công "
                 "văn số 3848/UBND-TH ngày 13/10/2022 của UBND tỉnh (trước ngày 05/3/2024), UBND huyện nộp Báo cáo "
                 "số 298/BC-UBND ngày 01/3/2024, Sở Tài chính nhận được ngày 11/3/2024"),
    ("1.4", 1, "Hạn chế về hình thức tuyên truyền như: tổ chức cuộc thi tìm hiểu về CCHC, hội nghị, tập huấn chuyên "
               "đề về CCHC"),
    ("1.7", 0, "Năm 2023, đơn vị có lãnh đạo tương đương lãnh đạo cấp phòng (Trưởng Ban quản lý rừng phòng hộ) bị kỷ "
               "luật làm ảnh hưởng đến Chỉ số CCHC của tỉnh"),
    ("3.4", 3.9753, "Do các hồ sơ quá hạn trên hệ thống Dịch vụ công của tỉnh, không kịp thời đẩy hồ sơ trên hệ thống "
                    "phần mềm bao gồm (07 hồ sơ chuyển mục đích sử dụng đất lĩnh vực đất đai của Phòng Tài nguyên - "
                    "Môi trường; 04 hồ sơ lĩnh vực hộ tịch của Phòng Tư pháp; 5 hồ sơ chuyển trường đối với học sinh "
                    "tiểu học của Phòng Giáo dục và Đào tạo)"),
    ("5.5.1", 0.5, "Trong năm có 01 công chức Phòng Tư pháp bị kỷ luật"),
    ("5.5.2", 0, "Trong năm có 01 viên chức lãnh đạo quản lý bị kỷ luật với hình thức cách chức"),
    ("6.1", 0, "Sai phạm thu hồi 50 triệu đồng trong Thanh tra đột xuất công tác quản lý, bảo vệ và phát triển rừng "
               "trên địa bàn tỉnh Lai Châu giai đoạn 2015-2021 của Thanh tra tỉnh (Báo cáo 595/BC-UBND ngày "
               "22/12/2023 và KL số 890/KL-TTr ngày 16/10/2023); sai phạm thu hồi 38,512 triệu đồng trong Thanh tra "
               "việc quản lý chi trả dịch vụ môi trường (KL số 497/KL-TTr ngày 15/6/2023); Kết luận số 24/KL-TTr "
               "ngày 13/11/2023 của Ban Dân tộc tỉnh: 182,827 triệu đồng; Kết luận số 320/KL-UBND ngày 24/4/2023 "
               "(UBND xã Bản Bo: 36.370.000 đồng)"),
    ("6.2.1", 0, "Sai phạm thu hồi 29,504 triệu đồng trong thanh tra việc quản lý chi trả dịch vụ môi trường (BQL "
                 "rừng phòng hộ) theo kết luận của Thanh tra (Báo cáo 595/BC-UBND ngày 22/12/2023 và KL số "
                 "497/KL-TTr ngày 15/6/2023)"),
    ("6.2.2", 0, "Trong năm 2023 không có đơn vị SNCL nào tăng mức độ tự chủ"),
    ("6.5", 0.75, "Phương án sắp xếp xử lý nhà đất của huyện đạt 62%"),
    ("7.3.3", 1.03, "Tỷ lệ TTHC cung cấp trực tuyến một phần, toàn trình phát sinh hồ sơ còn thấp"),
    ("8.7", 0, "Số lượng thành lập mới hợp tác xã, hộ kinh doanh cá thể năm 2023 thấp hơn năm 2022"),
    ("8.9", 0.5, "Năm 2023 có 35/38 chỉ tiêu chủ yếu về phát triển KTXH đạt và vượt kế hoạch, đạt 92,1%"),
]
TDG_2023_SURVEY = {"8.1": 3.7, "8.2": 3.9, "8.3": 3.6, "8.4": 3.8, "8.5": 3.5, "8.6": 3.8043}

TDG_2022_SELF = {
    "1.2.2": 1, "1.2.6": 0.5, "1.3": 1.5, "1.4": 1, "1.5": 0.17, "1.6": 1, "1.7": 0,
    "2.1": 1.5, "2.2.1": 1, "2.2.2": 0.5, "2.3": 1.5,
    "3.1": 2, "3.2": 2, "3.3": 2, "3.4": 2.5, "3.5": 1, "3.6": 1,
    "4.1": 3, "4.2": 2, "4.3": 1.5,
    "5.1": 1.5, "5.2": 1.5, "5.3": 1, "5.4": 0.5, "5.5.1": 1, "5.5.2": 1,
    "6.1": 0.5, "6.2.1": 0, "6.2.2": 0, "6.3": 0.43, "6.4": 1, "6.5": 0.5,
    "7.1": 2, "7.2": 3, "7.3.1": 1, "7.3.2": 1, "7.3.3": 1, "7.3.4": 0.5, "7.3.5": 0.5,
}
TDG_2022_METRICS = [("procedures_online_payment", 12, ""), ("procedures_offered", 40, ""),
                    ("dossiers_paid_online", 560, ""), ("dossiers_total", 2000, "")]
TDG_2022_APPRAISAL = [("1.1", 2, "Hoàn thành các nhiệm vụ của kế hoạch CCHC năm 2022"),
                      ("PAR:1.2.1", 1, "Thực hiện đủ, đúng hạn các báo cáo CCHC")]
TDG_2022_SURVEY = {"8.1": 4.0, "8.2": 4.1, "8.3": 4.0, "8.4": 4.0, "8.5": 3.9, "8.6": 4.03}

# The other districts: each area's points (fitting 003's ranks), spread over the leaves.
PEERS_2023 = {  # areas 1..8; area 8 = survey + 3 (8.7-8.9 at full points)
    "TUY": [11.5, 4.5, 13, 7.0, 5.5, 5.5, 11.5, 27.0],
    "TNU": [11, 4.5, 12.5, 7.5, 6.5, 5, 11, 24.0],
    "TPLC": [10, 4, 13.4753, 7.2, 5, 4.5, 11.2, 24.9247],
    "PTO": [9, 5, 12, 7.45, 5.5, 4, 11.0, 21.25],
    "MTE": [8.5, 5, 11.5, 6.5, 5.5, 3.5, 10, 19.6],
    "SHO": [8, 3.5, 11, 7.42, 4.5, 3, 9.5, 21.48],
    "NNH": [8.2, 4, 11.5, 6.8, 5.5, 2.0, 9, 19.0],
}
PEER_TOTALS_2022 = {"TUY": 80, "TNU": 74, "TPLC": 71, "PTO": 69, "MTE": 65, "SHO": 60, "NNH": 70.5}
MAXIMA = [13.5, 5, 13.5, 7.5, 8, 7, 12.5, 33]


def leaves(fw, area):
    ids = {r[0] for r in fw}
    return [r for r in fw if r[0].split(".")[0] == area and "." in r[0] and r[3] and
            not any(x.startswith(r[0] + ".") for x in ids)]


def spread(fw, area, points, skip=()):
    """Points of an area over its leaves, in proportion to their maxima; four decimals, the
    last leaf taking what rounding left."""
    ls = [r for r in leaves(fw, area) if r[0] not in skip]
    total = sum(r[2] for r in ls)
    out, given = {}, 0.0
    for i, r in enumerate(ls):
        v = round(points * r[2] / total, 4) if i + 1 < len(ls) else round(points - given, 4)
        out[r[0]] = v
        given += v
    return out


def fmt(v):
    s = ("%.7f" % v).rstrip("0").rstrip(".")
    return s if s else "0"


def main():
    rows = []
    for year in (2022, 2023):
        for r in framework(year):
            rows.append(["PAR", year, "district", r[0], r[1], fmt(r[2]), r[3], r[4], r[5]])
    with open(os.path.join(HERE, "framework-par-district.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["index", "year", "level", "id", "name", "max", "method", "formula", "owner"])
        w.writerows(rows)

    self_rows, snv_rows = [], []
    sent = {2022: "12/01/2023", 2023: "12/01/2024"}
    appraised = {2022: "15/05/2023", 2023: "15/05/2024"}
    for year, sv, metrics, appr, survey in ((2023, TDG_2023_SELF, TDG_2023_METRICS, TDG_2023_APPRAISAL,
                                              TDG_2023_SURVEY),
                                             (2022, TDG_2022_SELF, TDG_2022_METRICS, TDG_2022_APPRAISAL,
                                              TDG_2022_SURVEY)):
        for k, v in sv.items():
            self_rows.append(["TDG", year, "Y", "score", k, fmt(v), sent[year], ""])
        for k, v, note in metrics:
            self_rows.append(["TDG", year, "Y", "metric", k, fmt(v), sent[year], note])
        for k, v, note in appr:
            snv_rows.append(["TDG", year, "Y", "appraisal", k, fmt(v), appraised[year], note])
        for k, v in survey.items():
            snv_rows.append(["TDG", year, "Y", "survey", k, fmt(v), appraised[year], ""])
    for year in (2023, 2022):
        fw = framework(year)
        for unit in PEERS_2023:
            if year == 2023:
                areas = PEERS_2023[unit]
            else:
                areas = [m * PEER_TOTALS_2022[unit] / 100 for m in MAXIMA]
            for a in range(1, 9):
                pts = areas[a - 1]
                if a == 8:
                    sv = spread(fw, "8", pts - (3 if year == 2023 else 0), skip=("8.7", "8.8", "8.9"))
                    for k, v in sv.items():
                        snv_rows.append([unit, year, "Y", "survey", k, fmt(v), appraised[year], ""])
                    if year == 2023:
                        for k in ("8.7", "8.8", "8.9"):
                            self_rows.append([unit, year, "Y", "score", k, "1", sent[year], ""])
                    continue
                vals = spread(fw, str(a), pts)
                for k, v in vals.items():
                    method = next(r[3] for r in fw if r[0] == k)
                    if method == "computed":  # the province's appraisal stands for what is not computed here
                        key = "PAR:" + k if k == "1.2.1" else k
                        snv_rows.append([unit, year, "Y", "appraisal", key, fmt(v), appraised[year], ""])
                    else:
                        self_rows.append([unit, year, "Y", "score", k, fmt(v), sent[year], ""])
    head = ["unit", "year", "period", "kind", "key", "value", "date", "note"]
    sub = os.path.join(HERE, "submissions")
    for name, rs in (("districts-self-2022-2023.csv", self_rows), ("snv-appraisal-survey-2022-2023.csv", snv_rows)):
        with open(os.path.join(sub, name), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            w.writerows(rs)
    # the two districts' own files, as their agents push them: the same 2023 values, with notes
    for unit, name in (("TDG", "tamduong-2023.csv"), ("TUY", "thanuyen-2023.csv")):
        with open(os.path.join(sub, name), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            for r in self_rows:
                if r[0] == unit and r[1] == 2023:
                    w.writerow(r[:6] + ["31/12/2023", r[7]])


if __name__ == "__main__":
    main()
