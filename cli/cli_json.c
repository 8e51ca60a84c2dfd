/* SPDX-License-Identifier: MIT */
/* cli_json.c - flat JSON object parser (strings, numbers, bools, null). */
#include "cli_json.h"

#include <stdio.h>
#include <string.h>

#include "sm_names.h"

typedef struct cursor {
  const char *p, *end;
  unsigned long line;
  char *err;
  size_t errlen;
} cursor;

static int fail(cursor *c, const char *what) {
  snprintf(c->err, c->errlen, "line %lu: %s", c->line, what);
  return -1;
}

static void skip_space(cursor *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) {
    if (*c->p == '\n')
      c->line++;
    c->p++;
  }
}

static bool accept(cursor *c, char ch) {
  skip_space(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

static int hex4(cursor *c, unsigned *out) {
  unsigned v = 0;

  if (c->end - c->p < 4)
    return fail(c, "truncated \\u escape");
  for (int i = 0; i < 4; i++) {
    int d = sm_hex_digit(*c->p++);
    if (d < 0)
      return fail(c, "bad \\u escape");
    v = v << 4 | (unsigned)d;
  }
  *out = v;
  return 0;
}

/* Append one code point as UTF-8 (surrogates are kept as they come). */
static int put_utf8(cursor *c, unsigned cp, char *out, size_t size, size_t *n) {
  char b[3];
  size_t k;

  if (cp < 0x80) {
    b[0] = (char)cp;
    k = 1;
  } else if (cp < 0x800) {
    b[0] = (char)(0xC0 | cp >> 6);
    b[1] = (char)(0x80 | (cp & 0x3F));
    k = 2;
  } else {
    b[0] = (char)(0xE0 | cp >> 12);
    b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (char)(0x80 | (cp & 0x3F));
    k = 3;
  }
  if (*n + k >= size)
    return fail(c, "string too long");
  memcpy(out + *n, b, k);
  *n += k;
  return 0;
}

static int escape(cursor *c, char *out, size_t size, size_t *n) {
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *hit;
  unsigned cp;

  if (c->p >= c->end)
    return fail(c, "unterminated string");
  if (*c->p == 'u') {
    c->p++;
    if (hex4(c, &cp) != 0)
      return -1;
    return put_utf8(c, cp, out, size, n);
  }
  hit = strchr(from, *c->p);
  if (hit == NULL || *c->p == '\0')
    return fail(c, "bad escape in string");
  c->p++;
  return put_utf8(c, (unsigned char)to[hit - from], out, size, n);
}

/* A string after its opening quote. */
static int string_body(cursor *c, char *out, size_t size) {
  size_t n = 0;

  while (c->p < c->end && *c->p != '"') {
    unsigned char ch = (unsigned char)*c->p++;

    if (ch < 0x20)
      return fail(c, "control character in string");
    if (ch == '\\') {
      if (escape(c, out, size, &n) != 0)
        return -1;
      continue;
    }
    if (n + 1 >= size)
      return fail(c, "string too long");
    out[n++] = (char)ch;
  }
  if (c->p >= c->end)
    return fail(c, "unterminated string");
  c->p++;
  out[n] = '\0';
  return 0;
}

static bool word(cursor *c, const char *w) {
  size_t n = strlen(w);

  if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
    return false;
  c->p += n;
  return true;
}

static int number(cursor *c, cli_json_member *m) {
  size_t n = 0;

  while (c->p < c->end && strchr("+-.0123456789eE", *c->p) != NULL &&
         *c->p != '\0') {
    if (n + 1 >= sizeof m->text)
      return fail(c, "number too long");
    m->text[n++] = *c->p++;
  }
  if (n == 0)
    return fail(c, "expected a string, number, true, false or null");
  m->text[n] = '\0';
  m->type = CLI_JSON_NUMBER;
  return 0;
}

static int value(cursor *c, cli_json_member *m) {
  skip_space(c);
  if (accept(c, '"')) {
    m->type = CLI_JSON_STRING;
    return string_body(c, m->text, sizeof m->text);
  }
  if (c->p < c->end && (*c->p == '{' || *c->p == '['))
    return fail(c, "nested objects and arrays are not supported");
  if (word(c, "true") || word(c, "false")) {
    m->type = CLI_JSON_BOOL;
    /* "true" ends in "ue", "false" in "se" */
    strcpy(m->text, c->p[-2] == 'u' ? "true" : "false");
    return 0;
  }
  if (word(c, "null")) {
    m->type = CLI_JSON_NULL;
    m->text[0] = '\0';
    return 0;
  }
  return number(c, m);
}

static int member(cursor *c, cli_json_object *obj) {
  cli_json_member *m;

  if (obj->n >= CLI_JSON_MAX_MEMBERS)
    return fail(c, "too many members");
  m = &obj->m[obj->n];
  if (!accept(c, '"'))
    return fail(c, "expected a member name in double quotes");
  if (string_body(c, m->key, sizeof m->key) != 0)
    return -1;
  if (!accept(c, ':'))
    return fail(c, "expected ':' after a member name");
  if (value(c, m) != 0)
    return -1;
  obj->n++;
  return 0;
}

static int members(cursor *c, cli_json_object *obj) {
  if (accept(c, '}'))
    return 0;
  do {
    if (member(c, obj) != 0)
      return -1;
  } while (accept(c, ','));
  if (!accept(c, '}'))
    return fail(c, "expected ',' or '}'");
  return 0;
}

int cli_json_parse(const char *text, size_t len, cli_json_object *obj,
                   char *err, size_t errlen) {
  cursor c = {text, text + len, 1, err, errlen};

  obj->n = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    c.p += 3; /* UTF-8 byte order mark */
  if (!accept(&c, '{'))
    return fail(&c, "expected '{' (a JSON object)");
  if (members(&c, obj) != 0)
    return -1;
  skip_space(&c);
  if (c.p != c.end)
    return fail(&c, "unexpected text after the object");
  return 0;
}

const cli_json_member *cli_json_get(const cli_json_object *obj,
                                    const char *key) {
  for (size_t i = obj->n; i-- > 0;) {
    if (strcmp(obj->m[i].key, key) == 0)
      return &obj->m[i];
  }
  return NULL;
}
