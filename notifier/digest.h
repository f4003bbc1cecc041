/* digest: the one message a recipient gets per evaluation, in Vietnamese: every
 * overdue task and every reminder for that unit, most urgent first, each with its
 * plan, deadline, days left or overdue, lead and supporting units, and why the
 * unit receives it (lead, supporting, or the unit above an overdue lead). */
#ifndef PAR_DIGEST_H
#define PAR_DIGEST_H

#include <stdint.h>
#include "book.h"
#include "due.h"

typedef enum { ROLE_LEAD, ROLE_SUPPORT, ROLE_PARENT, ROLE_FOLLOW } digest_role;

typedef struct {
    uint64_t alert;
    const due_alert *a;
    digest_role role;
    double risk; /* points at risk on the criterion the task serves (book_at_risk); -1 unknown */
} digest_item;

const char *digest_role_name(digest_role r);
/* Sorts items: overdue first, then reminders; within each, the most points at risk
 * first, then the longest overdue (or the nearest deadline). */
void digest_sort(digest_item *items, size_t n);
/* The items a message shows, in digest_sort's order, into out: the webhook body's first
 * items and the reminders the text lists beyond them; a message records those alone.
 * Returns how many; *overdue: how many of all n are overdue. items are left as they
 * are, and only the kept ones are sorted (a province's follow-up unit has every
 * escalation of the day). */
#define DIGEST_KEEP_MAX 130
size_t digest_keep(const digest_item *items, size_t n, digest_item out[DIGEST_KEEP_MAX], size_t *overdue);
/* What a digest says beyond its alerts: where the unit's analysis is published
 * (report_url, "{unit}" replaced by its id), where par-web is (web_url), and how often
 * an overdue task is repeated (repeat_days working days). Either URL may be NULL. */
typedef struct {
    const char *report_url, *web_url;
    int repeat_days;
} digest_opts;

/* {unit, name, emails: [..], subject, text, alerts: [numbers], body: {...}} where
 * body is what a webhook receives. items: what digest_keep kept, in its order, of a
 * list of total items of which overdue are overdue. */
pv *digest_compose(book *b, MDB_txn *txn, const char *unit, const digest_item *items, size_t n, size_t overdue,
                   size_t total, const digest_opts *o, int64_t now_ms);
/* How officials address a unit: "UBND huyện Tam Đường" for a local government, its name
 * otherwise ("Sở Nội vụ"), into out. */
const char *digest_address(const nunit *u, char *out, size_t n);
/* "31/12/2024" */
void digest_date(int64_t day, char out[16]);

#endif
