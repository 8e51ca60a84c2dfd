/* SPDX-License-Identifier: MIT */
/* cli_json.h - a small parser for one flat JSON object whose values are
 * strings, numbers, booleans or null (enough for kaifareader's meter.json).
 * No allocation: everything lives in the caller's cli_json_object. Error
 * messages give a line number and what was expected, never file content.
 */
#ifndef CLI_JSON_H
#define CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_JSON_MAX_MEMBERS 64
#define CLI_JSON_KEY_MAX 64
#define CLI_JSON_TEXT_MAX 512

typedef enum cli_json_type {
  CLI_JSON_STRING,
  CLI_JSON_NUMBER, /* text holds the literal, e.g. "2400" */
  CLI_JSON_BOOL,   /* text is "true" or "false" */
  CLI_JSON_NULL,
} cli_json_type;

typedef struct cli_json_member {
  char key[CLI_JSON_KEY_MAX];
  cli_json_type type;
  char text[CLI_JSON_TEXT_MAX]; /* UTF-8, NUL-terminated */
} cli_json_member;

typedef struct cli_json_object {
  size_t n;
  cli_json_member m[CLI_JSON_MAX_MEMBERS];
} cli_json_object;

/* Parse text[0..len). Returns 0, or -1 with a message in err. */
int cli_json_parse(const char *text, size_t len, cli_json_object *obj,
                   char *err, size_t errlen);

/* The member named key (the last one if repeated), or NULL. */
const cli_json_member *cli_json_get(const cli_json_object *obj,
                                    const char *key);

#endif
