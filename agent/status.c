#include "status.h"
#include "outbox.h"
#include "../common/json.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* "2026-11-30T20:15:03.123+07:00" as "20:15:03 ngày 30/11/2026"; "-" when empty. */
static const char *vi_time(const char *iso, char out[48])
{
    int y, m, d, hh, mm, ss;
    if (!iso || sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &m, &d, &hh, &mm, &ss) != 6)
        return iso && *iso ? iso : "chưa có";
    snprintf(out, 48, "%02d:%02d:%02d ngày %02d/%02d/%04d", hh, mm, ss, d, m, y);
    return out;
}

int agent_status(const par_config *conf, int json, FILE *out)
{
    char path[CONF_PATH + 32], dir[CONF_PATH + 32];
    snprintf(path, sizeof path, "%s/agent/state.json", conf->data_dir);
    snprintf(dir, sizeof dir, "%s/agent/outbox", conf->data_dir);
    par_err e = {{0}};
    char *text = NULL;
    size_t len = 0;
    pv *st = file_read(path, &text, &len, &e) == 0 ? json_read_flat(text, len, &e) : NULL;
    free(text);
    if (!st)
        st = pv_map();
    /* the daemon runs when the pid it wrote is alive */
    int64_t pid = pv_get_int(st, "pid", 0);
    int running = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
    /* what waits, from the outbox itself (LMDB: read beside the running daemon) */
    int64_t files = 0, lines = 0;
    outbox *ob = NULL;
    par_err oe = {{0}}; /* an outbox that cannot be opened is said, not shown as empty */
    int there = access(dir, F_OK) == 0;
    if (!there && errno != ENOENT) /* not "no outbox": one this user cannot see */
        err_set(&oe, "%s: %s", dir, strerror(errno));
    if (there && outbox_open_reader(&ob, dir, &oe) == 0) { /* never made, changed or marked by asking */
        pv *list = outbox_list(ob, 1000000, &oe);
        for (uint32_t i = 0; list && i < list->u.a.n; i++)
            lines += pv_get_int(pv_get(list->u.a.v[i], "entry"), "lines", 0);
        files = list ? list->u.a.n : 0;
        pv_free(list);
        outbox_close(ob);
    }
    const char *link = running ? (pv_get_str(st, "link") ? pv_get_str(st, "link") : "unknown") : "unknown";
    int ok = running && !strcmp(link, "up") && !oe.msg[0];
    if (json) {
        pv *o = pv_map();
        pv_set(o, "running", pv_bool(running));
        if (running)
            pv_set_int(o, "pid", pid);
        pv_set_str(o, "unit", conf->agent_unit);
        pv_set_str(o, "endpoint", conf->endpoint);
        if (oe.msg[0]) { /* no counts: a monitor must not read an empty outbox */
            pv_set_str(o, "outbox_error", oe.msg);
        } else {
            pv_set_int(o, "outbox_files", files);
            pv_set_int(o, "outbox_lines", lines);
        }
        pv_set_str(o, "link", link);
        const char *const keys[] = {"link_since", "last_success", "last_error", "next_retry"};
        for (int i = 0; i < 4; i++)
            if (pv_get_str(st, keys[i]) && *pv_get_str(st, keys[i]))
                pv_set_str(o, keys[i], pv_get_str(st, keys[i]));
        json_print(out, o);
        pv_free(o);
    } else {
        char t1[48], t2[48], t3[48];
        fprintf(out, "Tác nhân gửi số liệu%s%s: %s\n", *conf->agent_unit ? " của " : "", conf->agent_unit,
                running ? "đang chạy" : "không chạy (par-agent run chưa được khởi động)");
        if (oe.msg[0])
            fprintf(out, "Hộp thư đi: KHÔNG ĐỌC ĐƯỢC (%s)\n", oe.msg);
        else
            fprintf(out, "Hộp thư đi: %lld tệp, %lld dòng chờ tỉnh trả lời\n", (long long)files, (long long)lines);
        if (!running)
            fprintf(out, "Kết nối tới tỉnh (%s): không rõ khi tác nhân không chạy\n", conf->endpoint);
        else if (!strcmp(link, "up"))
            fprintf(out, "Kết nối tới tỉnh (%s): tốt, từ %s\n", conf->endpoint,
                    vi_time(pv_get_str(st, "link_since"), t1));
        else if (!strcmp(link, "down"))
            fprintf(out, "Kết nối tới tỉnh (%s): MẤT KẾT NỐI từ %s\n", conf->endpoint,
                    vi_time(pv_get_str(st, "link_since"), t1));
        else
            fprintf(out, "Kết nối tới tỉnh (%s): chưa liên lạc được lần nào\n", conf->endpoint);
        fprintf(out, "Lần gửi thành công gần nhất: %s\n", vi_time(pv_get_str(st, "last_success"), t2));
        const char *err = pv_get_str(st, "last_error");
        fprintf(out, "Lỗi gần nhất: %s\n", err && *err ? err : "không có");
        if (running && pv_get_str(st, "next_retry"))
            fprintf(out, "Lần thử gửi lại tiếp theo: %s\n", vi_time(pv_get_str(st, "next_retry"), t3));
    }
    pv_free(st);
    return ok ? 0 : 1;
}
