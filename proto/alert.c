#include "alert.h"
#include "pack.h"

void proto_alert_pack(const alert_rec *a, sbuf *out)
{
    out->len = 0;
    pack_map(out, 12);
    pack_str(out, "id");
    pack_int(out, (int64_t)a->id);
    const char *const names[] = {"key", "task", "instance", "kind", "deadline", "slot"};
    const char *const vals[] = {a->key, a->task, a->instance, a->kind, a->deadline, a->slot};
    for (int i = 0; i < 6; i++) {
        pack_str(out, names[i]);
        pack_str(out, vals[i]);
    }
    pack_str(out, "days");
    pack_int(out, a->days);
    pack_str(out, "working_days");
    pack_int(out, a->working_days);
    pack_str(out, "level");
    pack_int(out, a->level);
    pack_str(out, "created");
    pack_str(out, a->created);
    pack_str(out, "to");
    pack_array(out, a->nto);
    for (uint32_t i = 0; i < a->nto; i++) {
        pack_map(out, 3);
        pack_str(out, "unit");
        pack_str(out, a->to[i].unit);
        pack_str(out, "role");
        pack_str(out, a->to[i].role);
        pack_str(out, "message");
        pack_int(out, (int64_t)a->to[i].message);
    }
}
