/* vn: numbers, dates and times as Vietnamese officials write them (78,12; 1.339;
 * 30/11/2024), shared by parctl's tables and reports so that they all read alike. */
#ifndef PAR_CLI_VN_H
#define PAR_CLI_VN_H

#include <stddef.h>

/* v with decimals digits after a decimal comma and '.' between thousands: 78,12;
 * 1.339; with sign, a '+' before a positive number (+6,05). Returns out (n bytes). */
const char *vn_num(char *out, size_t n, double v, int decimals, int sign);
/* The date of an ISO date or time (2024-11-30, 2024-11-30T09:00...) as dd/mm/yyyy;
 * "—" when iso is not one. Returns out or "—". */
const char *vn_date(char out[16], const char *iso);
/* An ISO time (2024-12-23T09:00:01.020+07:00) as "dd/mm/yyyy hh:mm", the time of day
 * as the server wrote it; "—" when iso is not one. */
const char *vn_time(char out[32], const char *iso);
/* A date as an official types it, dd/mm/yyyy (d/m/yyyy too) or YYYY-MM-DD, into ISO
 * YYYY-MM-DD (out: 11 bytes); -1 when it is not a date of the calendar. */
int vn_date_parse(const char *s, char out[11]);

#endif
