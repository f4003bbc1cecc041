/* parctl season: the appraisal season of an index, year and level; and its moves. */
#include "cli.h"
#include "vn.h"
#include "../proto/season.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLLECTOR_TIMEOUT_MS 10000

static void show(const pv *d)
{
    char a[16], b[32];
    int phase = season_phase_of(pv_get_text(d, "phase"));
    printf("Mùa đánh giá %s năm %lld, cấp %s: ", pv_get_text(d, "index"), (long long)pv_get_int(d, "year", 0),
           str_level_vi(pv_get_text(d, "level")));
    if (phase < 0) {
        printf("chưa mở (parctl season ... --to self --until NGÀY)\n");
        return;
    }
    printf("giai đoạn %s, từ %s\n", season_phase_vi(phase), vn_time(b, pv_get_text(d, "since")));
    printf("  Hạn tự đánh giá: %s\n", vn_date(a, pv_get_text(d, "self_until")));
    printf("  Hạn giải trình:  %s\n", vn_date(a, pv_get_text(d, "explain_until")));
    if (*pv_get_text(d, "decision"))
        printf("  Công bố theo quyết định %s ngày %s\n", pv_get_text(d, "decision"), vn_date(a, pv_get_text(d, "decision_date")));
    const pv *moves = pv_get(d, "moves");
    if (!moves || !moves->u.a.n)
        return;
    printf("  Lịch sử:\n");
    for (uint32_t i = 0; i < moves->u.a.n; i++) {
        const pv *m = moves->u.a.v[i];
        char ph[96];
        str_column(ph, sizeof ph, season_phase_vi(season_phase_of(pv_get_text(m, "phase"))), 19);
        printf("    %s  %s %s", vn_time(b, pv_get_text(m, "at")), ph, pv_get_text(m, "by"));
        if (*pv_get_text(m, "until"))
            printf("; hạn %s", vn_date(a, pv_get_text(m, "until")));
        if (*pv_get_text(m, "decision"))
            printf("; quyết định %s ngày %s", pv_get_text(m, "decision"), vn_date(a, pv_get_text(m, "date")));
        if (*pv_get_text(m, "reason"))
            printf("; lý do: %s", pv_get_text(m, "reason"));
        printf("\n");
    }
}

int cli_season(cli *c, int argc, char **argv)
{
    const char *index = NULL, *year = NULL, *level = NULL, *to = NULL, *until = NULL, *decision = NULL,
               *date = NULL, *reason = NULL;
    for (int i = 1; i < argc; i++) {
        const char **slot = !strcmp(argv[i], "--level") ? &level : !strcmp(argv[i], "--to") ? &to
                            : !strcmp(argv[i], "--until")    ? &until
                            : !strcmp(argv[i], "--decision") ? &decision
                            : !strcmp(argv[i], "--date")     ? &date
                            : !strcmp(argv[i], "--reason")   ? &reason
                                                             : NULL;
        if (slot && i + 1 < argc)
            *slot = argv[++i];
        else if (slot) {
            fprintf(stderr, "parctl season: %s needs a value\n", argv[i]);
            return 2;
        } else if (!index)
            index = argv[i];
        else if (!year)
            year = argv[i];
        else {
            fprintf(stderr, "parctl season: unexpected '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!index || !year || !level) {
        fprintf(stderr, "usage: parctl season INDEX YEAR --level L [--to PHASE [--until DATE] [--decision TEXT "
                        "--date DATE] [--reason TEXT]] [--json]\n");
        return 2;
    }
    pv *args = pv_map();
    pv_set_str(args, "index", index);
    pv_set_str(args, "year", year);
    pv_set_str(args, "level", level);
    const char *const opt[] = {"to", "until", "decision", "date", "reason"};
    const char *val[] = {to, until, decision, date, reason};
    for (int i = 0; i < 5; i++)
        if (val[i])
            pv_set_str(args, opt[i], val[i]);
    if (!to && (until || decision || date || reason)) {
        pv_free(args);
        fprintf(stderr, "parctl season: --until, --decision, --date and --reason go with --to PHASE\n");
        return 2;
    }
    return cli_query_show(c, "collector", to ? "season_move" : "season", args, COLLECTOR_TIMEOUT_MS, "parctl season",
                          show);
}
