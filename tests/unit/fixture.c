#include "fixture.h"
#include "../../collector/ingest.h"
#include "../../common/csv.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char units[] = "id,parent,level,name,email\n"
                            "LC,,province,Tỉnh Lai Châu,ubnd@laichau.gov.vn\n"
                            "TDG,LC,district,Huyện Tam Đường,tamduong@laichau.gov.vn\n"
                            "TUY,LC,district,Huyện Than Uyên,thanuyen@laichau.gov.vn\n"
                            "TDG-TT,TDG,commune,Thị trấn Tam Đường,tt@laichau.gov.vn\n";

const char fixture_framework[] = "index,year,level,id,name,max,method,formula\n"
                                "PAR,2023,district,1,Chỉ đạo điều hành,13.5,,\n"
                                "PAR,2023,district,1.1,Kế hoạch CCHC,2,computed,share(tasks_done)\n"
                                "PAR,2023,district,1.2,Báo cáo,11.5,,\n"
                                "PAR,2023,district,1.2.1,Báo cáo đúng hạn,1.5,self,\n"
                                "PAR,2023,district,1.2.2,Báo cáo khác,10,self,\n"
                                "PAR,2023,district,8,Tác động,33,,\n"
                                "PAR,2023,district,8.3,Hài lòng,33,survey,\n"
                                "SIPAS,2023,district,1,Cung ứng dịch vụ,100,,\n"
                                "SIPAS,2023,district,1.2,Dịch vụ,100,,\n"
                                "SIPAS,2023,district,1.2.1,Tiếp cận dịch vụ,100,survey,\n";

static const char tasks[] = "plan,id,lead,support,index,criterion,target,task,deadline\n"
                            "336/KH-UBND,T1,TDG,TDG-TT,PAR,1.1,100%,Báo cáo quý,31/12/2024\n"
                            "336/KH-UBND,T2,TUY,,PAR,1.2,,Tuyên truyền,Thường xuyên\n";

pv *fixture_msg(const char *type, const char *what, const char *text)
{
    pv *m = proto_msg(type);
    pv_set_int(m, "id", 1);
    if (what)
        pv_set_str(m, "what", what);
    csv_reader *r = csv_new(text, strlen(text));
    csv_row row;
    par_err e;
    pv *cols = pv_arr(), *rows = pv_arr();
    csv_next(r, &row, &e);
    for (int i = 0; i < row.n; i++)
        pv_push(cols, pv_str(row.f[i]));
    while (csv_next(r, &row, &e) == 1) {
        pv *v = pv_arr();
        pv_push(v, pv_int(row.line));
        for (int i = 0; i < row.n; i++)
            pv_push(v, pv_str(row.f[i]));
        pv_push(rows, v);
    }
    csv_destroy(r);
    pv_set(m, "cols", cols);
    pv_set(m, "rows", rows);
    return m;
}

static void import(fixture *f, const char *what, const char *text)
{
    pv *m = fixture_msg(MSG_IMPORT, what, text), *data;
    record_events events;
    par_err e;
    if (ingest_import(f->rec, m, "test", "2024-01-01T00:00:00.000+07:00", &data, &events, &e) < 0) {
        fprintf(stderr, "fixture: import %s: %s\n", what, e.msg);
        abort();
    }
    const pv *errors = pv_get(data, "errors");
    if (errors->u.a.n) {
        fprintf(stderr, "fixture: import %s: line %lld: %s\n", what, (long long)pv_get_int(errors->u.a.v[0], "line", 0),
                pv_get_str(errors->u.a.v[0], "reason"));
        abort();
    }
    pv_free(m);
    pv_free(data);
    record_events_free(&events);
}

void fixture_open(fixture *f, size_t map)
{
    strcpy(f->dir, "/tmp/par-test-XXXXXX");
    if (!mkdtemp(f->dir))
        abort();
    par_err e;
    if (record_open(&f->rec, f->dir, map, &e) < 0) {
        fprintf(stderr, "fixture: %s\n", e.msg);
        abort();
    }
    import(f, "units", units);
    import(f, "framework", fixture_framework);
    import(f, "tasks", tasks);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fixture_close(fixture *f)
{
    record_close(f->rec);
    nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

void fixture_view(submit_view *v, const pv *msg)
{
    char *buf;
    size_t len;
    par_err e;
    proto_encode(msg, &buf, &len);
    submit_init(v);
    if (submit_decode(v, buf, len, &e) < 0) {
        fprintf(stderr, "fixture: submit message: %s\n", e.msg);
        abort();
    }
    free(buf);
}

pv *fixture_submit(fixture *f, const char *text)
{
    return fixture_submit_as(f, text, "test-sender", "2024-12-31T08:00:00.000+07:00");
}

pv *fixture_submit_as(fixture *f, const char *text, const char *sender, const char *received)
{
    return fixture_submit_late(f, text, sender, received, 0);
}

pv *fixture_submit_late(fixture *f, const char *text, const char *sender, const char *received, int accept_late)
{
    pv *m = fixture_msg(MSG_SUBMIT, NULL, text);
    record_events events;
    submit_view v;
    fixture_view(&v, m);
    ingest_req q = {.sub = &v, .sender = sender, .accept_late = accept_late};
    par_err e;
    if (ingest_submits(f->rec, &q, 1, received, &events, &e) < 0) {
        fprintf(stderr, "fixture: submit: %s\n", e.msg);
        abort();
    }
    record_events_free(&events);
    pv_free(m);
    submit_free(&v);
    return q.ack;
}
