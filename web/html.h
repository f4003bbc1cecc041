/* html: what every page is built with: escaping, Vietnamese numbers (78,12), dates
 * (dd/mm/yyyy), the page's frame (header, menu, footer) and its CSS. Every value that
 * comes from data goes through html_esc or html_attr. */
#ifndef PAR_WEB_HTML_H
#define PAR_WEB_HTML_H

#include "../proto/base.h"

/* Text into an element or an attribute value in double quotes. */
void html_esc(sbuf *b, const char *s);
/* A value for a URL's query part (percent-encoded). */
void html_url(sbuf *b, const char *s);
/* 78.1198 with decimals 2 -> "78,12"; sign: "+" before positive numbers. */
const char *html_num(char out[32], double v, int decimals, int sign);
/* YYYY-MM-DD (or the start of an ISO time) -> dd/mm/yyyy; "—" when not a date. */
const char *html_date(char out[16], const char *iso);

typedef struct {
    const char *user, *role, *unit; /* who is logged in; NULL on the login page */
    const char *csrf;              /* the session's form token */
    const char *title;
    const char *active;            /* the menu item: "/", "/tasks", ... */
} html_frame;

void html_begin(sbuf *b, const html_frame *f);
void html_end(sbuf *b);
/* The stylesheet served at /static/app.css (no inline styles: the CSP forbids them). */
const char *html_css(void);
/* The script served at /static/live.js: live updates of the ranking. */
const char *html_live_js(void);
/* A hidden field with the session's form token. */
void html_csrf(sbuf *b, const char *token);

#endif
