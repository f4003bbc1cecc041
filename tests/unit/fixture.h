/* fixture: a record in a temporary folder, loaded with a small province. */
#ifndef PAR_FIXTURE_H
#define PAR_FIXTURE_H

#include "../../collector/record.h"
#include "../../proto/submit.h"

typedef struct {
    char dir[64];
    record *rec;
} fixture;

/* The framework fixture_open imports (PAR and SIPAS, 2023, district). */
extern const char fixture_framework[];

/* Builds a submit or import message from CSV text (header first). */
pv *fixture_msg(const char *type, const char *what, const char *csv);
/* Opens a fresh record (map: initial map size, 0 default) and imports the sample units,
 * framework and tasks; aborts the test on failure. */
void fixture_open(fixture *f, size_t map);
void fixture_close(fixture *f);
/* A submit message read as the collector reads it (aborts when it cannot be). */
void fixture_view(submit_view *v, const pv *msg);
/* Submits CSV lines as one request; returns the ack (caller frees). */
pv *fixture_submit(fixture *f, const char *csv);
/* The same from a sender ("unit:TDG/x", "appraiser:snv"), received at an ISO time. */
pv *fixture_submit_as(fixture *f, const char *csv, const char *sender, const char *received);
/* The same, with [season] accept_late as given (a late self-score stored, marked late). */
pv *fixture_submit_late(fixture *f, const char *csv, const char *sender, const char *received, int accept_late);

#endif
