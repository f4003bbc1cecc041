#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void html_esc(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': sbuf_puts(b, "&lt;"); break;
        case '>': sbuf_puts(b, "&gt;"); break;
        case '&': sbuf_puts(b, "&amp;"); break;
        case '"': sbuf_puts(b, "&quot;"); break;
        case '\'': sbuf_puts(b, "&#39;"); break;
        default: sbuf_add(b, s, 1);
        }
    }
}

void html_url(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            sbuf_add(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sbuf_add(b, e, 3);
        }
    }
}

const char *html_num(char out[32], double v, int decimals, int sign)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, fabs(v));
    int neg = v < 0 && fabs(v) >= 0.5 * pow(10, -decimals);
    char *dot = strchr(tmp, '.');
    size_t il = dot ? (size_t)(dot - tmp) : strlen(tmp), o = 0;
    if (neg)
        out[o++] = '-';
    else if (sign)
        out[o++] = '+';
    for (size_t i = 0; i < il && o < 28; i++) {
        if (i && (il - i) % 3 == 0)
            out[o++] = '.';
        out[o++] = tmp[i];
    }
    for (const char *p = dot; p && *p && o < 31; p++)
        out[o++] = *p == '.' ? ',' : *p;
    out[o] = '\0';
    return out;
}

const char *html_date(char out[16], const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return "—";
    snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
    return out;
}

static const char *const menu[][2] = {{"/", "Xếp hạng"},          {"/tasks", "Nhiệm vụ"},
                                       {"/alerts", "Cảnh báo"},  {"/reporting", "Tình hình gửi báo cáo"},
                                       {"/season", "Đợt đánh giá"}};

void html_begin(sbuf *b, const html_frame *f)
{
    sbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    html_esc(b, f->title);
    sbuf_puts(b, " · Chỉ số CCHC</title>\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
                 "<script src=\"/static/live.js\" defer></script>\n</head>\n<body>\n<header>\n"
                 "<div class=\"brand\">Hệ thống theo dõi Chỉ số cải cách hành chính</div>\n");
    if (f->user) {
        sbuf_puts(b, "<nav>");
        for (size_t i = 0; i < sizeof menu / sizeof menu[0]; i++) {
            sbuf_printf(b, "<a href=\"%s\"%s>", menu[i][0],
                        f->active && !strcmp(f->active, menu[i][0]) ? " class=\"on\"" : "");
            html_esc(b, menu[i][1]);
            sbuf_puts(b, "</a>");
        }
        sbuf_puts(b, "</nav>\n<form class=\"who\" method=\"post\" action=\"/logout\"><span>");
        html_esc(b, f->user);
        sbuf_puts(b, " (");
        html_esc(b, f->role);
        if (f->unit && *f->unit) {
            sbuf_puts(b, ", ");
            html_esc(b, f->unit);
        }
        sbuf_puts(b, ")</span>");
        html_csrf(b, f->csrf);
        sbuf_puts(b, "<button type=\"submit\">Đăng xuất</button></form>\n");
    }
    sbuf_puts(b, "</header>\n<main>\n<h1>");
    html_esc(b, f->title);
    sbuf_puts(b, "</h1>\n");
}

void html_end(sbuf *b)
{
    sbuf_puts(b, "</main>\n<footer>Sở Nội vụ · dữ liệu cập nhật trực tiếp từ hệ thống chấm điểm</footer>\n"
                 "</body>\n</html>\n");
}

void html_csrf(sbuf *b, const char *token)
{
    sbuf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_esc(b, token);
    sbuf_puts(b, "\">");
}

const char *html_css(void)
{
    return "body{font-family:'Noto Sans','DejaVu Sans',Arial,sans-serif;margin:0;color:#1b1b1b;font-size:15px}"
           "header{background:#1f4e99;color:#fff;padding:8px 16px;display:flex;flex-wrap:wrap;gap:12px;"
           "align-items:center}"
           ".brand{font-weight:bold;margin-right:auto}nav a{color:#fff;margin-right:12px;text-decoration:none}"
           "nav a.on{text-decoration:underline}.who{display:flex;gap:8px;align-items:center;margin:0}"
           "main{padding:12px 16px;max-width:1200px}h1{font-size:22px}h2{font-size:18px;margin-top:24px}"
           "table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid #bbb;padding:4px 6px;"
           "text-align:left;vertical-align:top}th{background:#e8eef7}td.n{text-align:right;white-space:nowrap}"
           ".up{color:#11722b}tr.behind td:first-child{border-left:3px solid #b3261e}.down{color:#b3261e}.muted{color:#666}.err{color:#b3261e;font-weight:bold}"
           ".ok{color:#11722b}form.inline{display:inline}label{display:block;margin:8px 0 2px}"
           "input,select,textarea,button{font:inherit;padding:4px}"
           ".h0{background:#f4cccc}.h1{background:#f9dfc6}.h2{background:#fce8b2}.h3{background:#e6efc2}"
           ".h4{background:#c9e7c4}.h5{background:#a8d5a2}"
           "svg{max-width:100%;height:auto}svg text{font-size:11px}svg .bar{fill:#1f4e99}svg .grid{stroke:#ccc}"
           "footer{color:#666;font-size:12px;padding:12px 16px}"
           "@media (max-width:700px){table{font-size:13px}.wide{display:none}}"
           "@media print{header nav,.who,form{display:none}header{background:none;color:#000}"
           "tr{page-break-inside:avoid}}";
}

const char *html_live_js(void)
{
    /* the ranking follows the score events without a reload: the page asks itself again
     * and swaps the ranking's table when the scorer says something changed */
    return "(function(){var box=document.getElementById('live');if(!box||!window.EventSource)return;"
           "var src=new EventSource('/events');src.onmessage=function(){fetch(location.href,"
           "{credentials:'same-origin'}).then(function(r){return r.text();}).then(function(t){"
           "var d=new DOMParser().parseFromString(t,'text/html').getElementById('live');"
           "if(d){box.innerHTML=d.innerHTML;}});};})();\n";
}
