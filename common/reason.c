#include "reason.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define REASON_FACTS 8
/* what table.c adds to a header it cannot read */
#define HEADER_HINT_EN " (the header read with '{}' between columns: save it from Excel as \"CSV UTF-8\", or with ',' or ';' between the column names unit,year,period,kind,key,value)"
#define HEADER_HINT_VI " (dòng tiêu đề được đọc với '{}' giữa các cột: lưu tệp từ Excel dạng \"CSV UTF-8\", hoặc với ',' hay ';' giữa các tên cột unit,year,period,kind,key,value)"

/* The more specific first: the first that matches is used. */
static const struct {
    const char *en, *vi;
} patterns[] = {
    /* the collector: validation (collector/validate.c) */
    {"key '{}' is not INDEX:criterion", "mã '{}' không có dạng CHỈ_SỐ:tiêu_chí"},
    {"key '{}' is not a criterion id like 1.2.1", "mã '{}' không phải mã tiêu chí (dạng 1.2.1)"},
    {"unknown criterion {} in the {} framework for level {}",
     "tiêu chí {} không có trong bộ tiêu chí năm {} của cấp {}"},
    {"criterion {} exists in {} and {} for {}; write it as {}",
     "mã tiêu chí {} có ở cả chỉ số {} và {} năm {}: ghi rõ {}"},
    {"criterion {} is not a leaf: score its sub-criteria",
     "tiêu chí {} không phải tiêu chí thành phần cuối cùng: chấm các tiêu chí con của nó"},
    {"value '{}' is not a number", "giá trị '{}' không phải là số"},
    {"value {} is negative", "giá trị {} là số âm"},
    {"value {} is above the maximum {} of {}", "giá trị {} vượt quá điểm tối đa {} của {}"},
    {"unit '{}' is not a unit id", "'{}' không phải mã đơn vị"},
    {"unknown unit {}", "đơn vị {} không có trong danh mục"},
    {"year '{}' is not a year from 2000 to 2100", "năm '{}' không hợp lệ (từ 2000 đến 2100)"},
    {"period '{}' is not Y, Q1-Q4, H1 or M01-M12", "kỳ báo cáo '{}' không hợp lệ (Y, Q1-Q4, H1 hoặc M01-M12)"},
    {"date '{}' is not a date (day/month/year or YYYY-MM-DD)",
     "ngày '{}' không hợp lệ (ngày/tháng/năm hoặc YYYY-MM-DD)"},
    {"note longer than {} bytes", "ghi chú dài quá {} byte"},
    {"criterion {} is scored by method '{}', not by survey",
     "tiêu chí {} được chấm theo phương pháp '{}', không theo kết quả điều tra"},
    {"criterion {} is scored by method '{}'; units self-score only 'self' criteria",
     "tiêu chí {} được chấm theo phương pháp '{}'; đơn vị chỉ tự chấm các tiêu chí 'self'"},
    {"criterion {} comes from the survey; send it as kind survey",
     "tiêu chí {} lấy từ kết quả điều tra: gửi với loại survey"},
    {"key '{}' names no index: write it as INDEX:total", "mã '{}' không nói chỉ số nào: ghi CHỈ_SỐ:total"},
    {"no {} framework for {} and level {}: nothing for {} to stand for",
     "chưa có bộ tiêu chí {} năm {} của cấp {}: {} không có gì để đại diện"},
    {"{} holds criteria scored otherwise than by survey: send its sub-criteria, not a total",
     "{} có tiêu chí không chấm theo kết quả điều tra: gửi các tiêu chí con, không gửi điểm tổng"},
    {"rank target '{}' is not a place or a range of places, like 15, 20-30 or 20-30/63",
     "chỉ tiêu xếp hạng '{}' không phải một thứ hạng hay khoảng thứ hạng (ví dụ 15, 20-30 hoặc 20-30/63)"},
    {"rank '{}' is not a place out of a number, like 44/63", "thứ hạng '{}' không có dạng thứ hạng/tổng số, ví dụ 44/63"},
    {"id 'total' is kept for the whole index: give the criterion another id",
     "mã 'total' dành cho cả chỉ số: đặt mã khác cho tiêu chí"},
    {"survey value '{}' is neither a number nor counts like 412/500",
     "kết quả điều tra '{}' không phải là số hoặc tỷ lệ dạng 412/500"},
    {"metric name '{}' is not 1-63 of letters, digits, '.', '_' or '-'",
     "tên chỉ tiêu '{}' không hợp lệ (1 đến 63 ký tự: chữ, số, '.', '_' hoặc '-')"},
    {"unknown task {}", "nhiệm vụ {} không có trong kế hoạch"},
    {"this line's copy in the outbox is damaged: send it again",
     "bản lưu của dòng này trong hộp thư đi bị hỏng: gửi lại dòng này"},
    {"kept in the outbox in a form this version cannot send: drop the file into the spool folder again",
     "lưu trong hộp thư đi ở dạng phiên bản này không gửi được: đặt lại tệp vào thư mục gửi"},
    {"task {} is not assigned to unit {}", "nhiệm vụ {} không giao cho đơn vị {}"},
    {"task progress '{}' is neither done nor a percent from 0 to 100",
     "tiến độ '{}' phải là done hoặc tỷ lệ phần trăm từ 0 đến 100"},
    {"unknown kind '{}' (score, appraisal, survey, target, rank, rank_target, metric, task or explanation)",
     "loại dữ liệu '{}' không hợp lệ (score, appraisal, survey, target, rank, rank_target, metric, task hoặc "
     "explanation)"},
    {"an explanation is written in the note column: it is empty", "nội dung giải trình ghi ở cột note: cột này đang trống"},
    /* the collector: the season's phase (collector/season.c) */
    {"the {} {} season (level {}) was published by decision {} of {}: its figures no longer change",
     "kết quả chỉ số {} năm {} (cấp {}) đã được công bố theo quyết định {} ngày {}: số liệu không còn thay đổi"},
    {"the {} {} season (level {}) is in phase {} since {}: {} are taken in phase {}",
     "đợt đánh giá chỉ số {} năm {} (cấp {}) đang ở giai đoạn {} từ {}: {} chỉ được nhận trong giai đoạn {}"},
    {"the {} {} season (level {}) took {} until {}; this line came on {}",
     "đợt đánh giá chỉ số {} năm {} (cấp {}) nhận {} đến hết ngày {}; dòng này đến ngày {}"},
    /* the collector: who may send what (collector/authz.c, collector/ingest.c) */
    {"only the province's appraiser keys may send {} lines (this key: {})",
     "chỉ khóa của tổ thẩm định tỉnh được gửi dòng loại {} (khóa này: {})"},
    {"a leader key reads the whole province and writes nothing (this key: {})",
     "khóa lãnh đạo chỉ xem số liệu toàn tỉnh, không gửi số liệu (khóa này: {})"},
    {"unit {} is neither {} nor below it, and its {} {} results are not published: this key may not read them",
     "đơn vị {} không phải {} hay đơn vị trực thuộc, và kết quả chỉ số {} năm {} chưa được công bố: khóa, tài khoản "
     "này chưa được xem"},
    {"unit {} is neither {} nor below it, and its {} {} results are not published: this key may not read its {}",
     "đơn vị {} không phải {} hay đơn vị trực thuộc, và kết quả chỉ số {} năm {} chưa được công bố: khóa, tài khoản "
     "này chưa được xem ({})"},
    {"unit {} is neither {} nor below it: this key may not submit for it",
     "đơn vị {} không phải {} hay đơn vị trực thuộc: khóa này không được gửi số liệu cho đơn vị đó"},
    {"unit {} is neither {} nor below it: the agent of {} does not send for it ([agent] unit)",
     "đơn vị {} không phải {} hay đơn vị trực thuộc: tác nhân của {} không gửi số liệu cho đơn vị đó ([agent] unit)"},
    /* a dissolved or merged unit's keys and accounts (collector/authz.c, scorer/main.c) */
    {"unit {} ended on {} (valid_to): its keys and accounts stopped then; {} took over",
     "đơn vị {} đã kết thúc hoạt động sau ngày {} (valid_to): khóa và tài khoản của đơn vị dừng từ đó; đơn vị kế thừa là {}"},
    {"unit {} ended on {} (valid_to): its keys and accounts stopped then",
     "đơn vị {} đã kết thúc hoạt động sau ngày {} (valid_to): khóa và tài khoản của đơn vị dừng từ đó"},
    /* the units file's periods (collector/ingest.c) */
    {"unit {} names successor {} without valid_to, the last day before it takes over",
     "đơn vị {} ghi đơn vị kế thừa {} nhưng thiếu valid_to, ngày cuối cùng trước khi đơn vị kế thừa tiếp nhận"},
    {"successor '{}' of unit {} is not another unit's id", "đơn vị kế thừa '{}' của đơn vị {} không phải mã của một đơn vị khác"},
    {"successor {} of unit {} is not a known unit", "đơn vị kế thừa {} của đơn vị {} không có trong danh mục"},
    {"successor {} of unit {} is not valid on {}, the day after {} ends",
     "đơn vị kế thừa {} của đơn vị {} chưa có hiệu lực vào ngày {}, ngày sau khi {} kết thúc"},
    {"unit {}: valid_from {} is after valid_to {}", "đơn vị {}: valid_from {} sau valid_to {}"},
    {"unit {}: its period {} overlaps line {}'s ({})",
     "đơn vị {}: thời gian hiệu lực {} trùng với thời gian ở dòng {} ({})"},
    {"unit {}: only its last period names a successor (line {} comes after)",
     "đơn vị {}: chỉ dòng của thời gian hiệu lực cuối cùng được ghi đơn vị kế thừa (dòng {} ở sau)"},
    {"parent {} of unit {} is not valid all through its period {} (the parent: {})",
     "đơn vị cấp trên {} của đơn vị {} không có hiệu lực suốt thời gian {} (đơn vị cấp trên: {})"},
    {"parent {} of unit {} is not a known unit", "đơn vị cấp trên {} của đơn vị {} không có trong danh mục"},
    {"unit {} (stored, not in this file) stays under {} {}, but {} is valid only {}: end it or move it in this file",
     "đơn vị {} (đã có, không có trong tệp này) vẫn trực thuộc {} {}, nhưng {} chỉ có hiệu lực {}: "
     "hãy ghi ngày kết thúc hoặc chuyển đơn vị đó sang đơn vị cấp trên khác trong cùng tệp"},
    {"{} '{}' is not a date (day/month/year or YYYY-MM-DD)", "{} '{}' không phải là ngày (ngày/tháng/năm hoặc YYYY-MM-DD)"},
    /* reading the file (common/csv.c, common/table.c) */
    {"{} fields where the header has {} (an extra column: a separator inside a value that is not quoted?)",
     "{} cột trong khi dòng tiêu đề có {} (thừa cột: có dấu phân cách trong một giá trị không đặt trong ngoặc kép?)"},
    {"{} fields where the header has {} (a missing column?)", "{} cột trong khi dòng tiêu đề có {} (thiếu cột?)"},
    {"a quote opened here is never closed", "dấu ngoặc kép mở ở đây mà không bao giờ đóng"},
    {"a quote opened here is not closed where its field ends (it runs to line {})",
     "dấu ngoặc kép mở ở đây không đóng ở cuối giá trị của nó (kéo sang đến dòng {})"},
    {"a quote inside an unquoted field", "dấu ngoặc kép nằm giữa một giá trị không đặt trong ngoặc kép"},
    {"text after a closing quote", "có chữ sau dấu ngoặc kép đóng"},
    {"more than {} fields", "nhiều hơn {} cột"},
    {"a field longer than {} bytes", "một giá trị dài quá {} byte"},
    {"field {} holds a NUL character", "cột {} chứa ký tự NUL"},
    {"field {} is not valid UTF-8 text", "cột {} không phải văn bản UTF-8 hợp lệ (lưu tệp dạng \"CSV UTF-8\")"},
    {"not a JSON object ({})", "không phải một đối tượng JSON ({})"},
    {"missing field '{}'", "thiếu trường '{}'"},
    {"field '{}' is not a string or a number (without NUL characters)",
     "trường '{}' không phải chuỗi hay số (không được chứa ký tự NUL)"},
    {"unknown field '{}'", "trường '{}' không hợp lệ"},
    {"unknown column '{}' (the columns are {})" HEADER_HINT_EN, "cột '{}' không hợp lệ (các cột là {})" HEADER_HINT_VI},
    {"unknown column '{}' (the columns are {})", "cột '{}' không hợp lệ (các cột là {})"},
    {"missing column '{}'" HEADER_HINT_EN, "thiếu cột '{}'" HEADER_HINT_VI},
    {"missing column '{}'", "thiếu cột '{}'"},
    {"column '{}' appears twice" HEADER_HINT_EN, "cột '{}' xuất hiện hai lần" HEADER_HINT_VI},
    {"column '{}' appears twice", "cột '{}' xuất hiện hai lần"},
    {"empty file: no header line", "tệp rỗng: không có dòng tiêu đề"},
    {"{} bytes, more than the {} MiB a file may have: split it", "{} byte, quá {} MiB cho một tệp: hãy chia nhỏ"},
    {"file name longer than {} bytes", "tên tệp dài quá {} byte"},
    {"not a CSV (.csv, .txt) or JSON Lines (.jsonl) file: unknown column format",
     "không phải tệp CSV (.csv, .txt) hoặc JSON Lines (.jsonl)"},
    {"UTF-16 text that is not well formed near byte {}", "văn bản UTF-16 bị lỗi gần byte {}"},
    {"field '{}' holds a NUL, a control character or bytes that are not UTF-8",
     "cột '{}' chứa ký tự NUL, ký tự điều khiển hoặc byte không phải văn bản UTF-8"},
    {"missing {}", "thiếu {}"}, /* validate.c's required fields: after the columns above */
    /* the client (common/client.c): nothing was refused, nothing answered */
    {"no answer from {} at {} after {} s (the provincial server cannot be reached)",
     "không có trả lời từ {} ở {} sau {} giây: không kết nối được máy chủ của tỉnh"},
    {"no answer from {} at {} after {} s ({})", "không có trả lời từ {} ở {} sau {} giây ({})"},
    /* par-web: the services did not answer a page (web/main.c) */
    {"the broker cannot be reached: {}", "không kết nối được với máy chủ của tỉnh: {}"},
    {"the broker cannot be reached", "không kết nối được với máy chủ của tỉnh"},
    {"no answer from the services in time", "hệ thống chưa trả lời kịp: hãy thử lại sau ít phút"},
    {"service {} unavailable: {}", "dịch vụ {} đang bận, chưa nhận thêm yêu cầu: {}"},
    {"service {} unavailable", "dịch vụ {} đang dừng: hãy thử lại sau ít phút"},
    /* the notifier: acknowledging and silencing alerts (notifier/alertlog.c) */
    {"no alert number {}", "không có cảnh báo số {}"},
    {"alert {} was not sent to unit {}", "cảnh báo số {} không gửi tới đơn vị {}"},
    {"only the units an alert was sent to and admins acknowledge it",
     "chỉ đơn vị nhận cảnh báo và quản trị viên được xác nhận cảnh báo"},
    {"no task {}", "không có nhiệm vụ {}"},
    {"unit {} is not in the registry", "đơn vị {} không có trong danh mục"},
    {"until '{}' is not a date YYYY-MM-DD", "'{}' không phải một ngày có thật (NĂM-THÁNG-NGÀY)"},
    {"until {} is before today, {}", "ngày {} đã qua (hôm nay là {})"},
    {"until {} is more than {} days after today, {}: alerts are silenced for a year at most",
     "ngày {} muộn hơn quá {} ngày so với hôm nay ({}): chỉ tạm dừng nhắc tối đa một năm"},
    {"task {} is not unit {}'s: its alerts are not this key's to silence",
     "nhiệm vụ {} không phải của đơn vị {}: khóa này không được tạm dừng cảnh báo của nhiệm vụ đó"},
    {"only the task's units and admins silence its alerts",
     "chỉ đơn vị được giao nhiệm vụ và quản trị viên được tạm dừng cảnh báo của nhiệm vụ"},
};

/* Matches s against pattern p from its start; the text each "{}" stands for goes to
 * facts (offset, length). Backtracks over where a fact ends. 1 matched, 0 not. */
static int match(const char *s, const char *p, const char *fact[], size_t len[], int k)
{
    const char *hole = strstr(p, "{}");
    if (!hole)
        return !strcmp(s, p);
    size_t lit = (size_t)(hole - p);
    if (strncmp(s, p, lit) || k == REASON_FACTS)
        return 0;
    s += lit;
    const char *rest = hole + 2;
    if (!*rest) { /* the last fact: the rest of the text */
        fact[k] = s;
        len[k] = strlen(s);
        return 1;
    }
    /* the fact ends where the next literal text starts: the earliest place that lets the
     * rest match */
    const char *next = strstr(rest, "{}");
    size_t nlit = next ? (size_t)(next - rest) : strlen(rest);
    for (const char *at = s; *at; at++) {
        if (strncmp(at, rest, nlit))
            continue;
        fact[k] = s;
        len[k] = (size_t)(at - s);
        if (match(at, rest, fact, len, k + 1))
            return 1;
    }
    return 0;
}

char *reason_vi(const char *en, char *out, size_t n)
{
    /* "line 4: ..." as the file reader writes it */
    int line, used = 0;
    if (sscanf(en, "line %d: %n", &line, &used) == 1 && used > 0) {
        char rest[1024];
        reason_vi(en + used, rest, sizeof rest);
        snprintf(out, n, "dòng %d: %s", line, rest);
        return out;
    }
    const char *fact[REASON_FACTS];
    size_t len[REASON_FACTS];
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        if (!match(en, patterns[i].en, fact, len, 0))
            continue;
        sbuf b;
        sbuf_init(&b);
        int k = 0;
        for (const char *v = patterns[i].vi; *v;) {
            const char *hole = strstr(v, "{}");
            if (!hole) {
                sbuf_puts(&b, v);
                break;
            }
            sbuf_add(&b, v, (size_t)(hole - v));
            if (k < REASON_FACTS)
                sbuf_add(&b, fact[k], len[k]);
            k++;
            v = hole + 2;
        }
        str_copy(out, n, b.buf ? b.buf : "");
        sbuf_free(&b);
        return out;
    }
    snprintf(out, n, "bị từ chối (lý do bằng tiếng Anh): %s", en);
    return out;
}
