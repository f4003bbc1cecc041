#include "vnfold.h"

#include <string.h>

/* Each base letter followed by every accented form of it, lower then upper case. */
static const char *const families[] = {
    "aàáảãạăằắẳẵặâầấẩẫậAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
    "eèéẻẽẹêềếểễệEÈÉẺẼẸÊỀẾỂỄỆ",
    "iìíỉĩịIÌÍỈĨỊ",
    "oòóỏõọôồốổỗộơờớởỡợOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
    "uùúủũụưừứửữựUÙÚỦŨỤƯỪỨỬỮỰ",
    "yỳýỷỹỵYỲÝỶỸỴ",
    "dđDĐ",
};

static unsigned decode(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned c = s[0];
    if (c < 0x80) {
        *p += 1;
        return c;
    }
    int extra = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
    unsigned cp = extra == 1 ? c & 0x1f : extra == 2 ? c & 0x0f : c & 0x07;
    if (!extra) {
        *p += 1;
        return 0xfffd;
    }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *p += (size_t)i;
            return 0xfffd;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    *p += (size_t)extra + 1;
    return cp;
}

static char base_of(unsigned cp)
{
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        const unsigned char *q = (const unsigned char *)families[f];
        while (*q)
            if (decode(&q) == cp)
                return families[f][0];
    }
    return '?';
}

void vnfold(const char *in, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;
    int space = 1; /* drops leading white space */
    while (*p && o + 1 < n) {
        unsigned cp = decode(&p);
        char c;
        if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0xa0) {
            if (space)
                continue;
            space = 1;
            out[o++] = ' ';
            continue;
        }
        space = 0;
        if (cp < 0x80)
            c = (cp >= 'A' && cp <= 'Z') ? (char)(cp - 'A' + 'a') : (char)cp;
        else
            c = base_of(cp);
        out[o++] = c;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}
