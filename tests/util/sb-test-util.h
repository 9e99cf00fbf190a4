/* sb-test-util.h: small helpers the core's unit tests and benchmarks share. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A new private temporary folder from @name_template ("sb-store-XXXXXX");
 * aborts the test when it cannot be made.  Caller frees the name. */
char *sb_test_make_tmpdir (const char *name_template);

/* Removes @path and, for a folder, everything below it.  Never follows links
 * out of it.  Missing paths are fine. */
void sb_test_remove_tree (const char *path);

/* A temporary folder with the path of a database in it, and the time the
 * test started: the fixture of the tests that run the command. */
typedef struct
{
  char *dir;
  char *db;
  gint64 now;
} SbTestHistory;

void sb_test_history_setup (SbTestHistory *history, gconstpointer data);
void sb_test_history_teardown (SbTestHistory *history, gconstpointer data);

/* A line of a Pidgin 2.14 HTML log: received (the buddy's colour) or sent. */
#define SB_TEST_HTML_LINE(colour, time, who, body)                                      \
  "<span style=\"color: #" colour "\"><span style=\"font-size: smaller\">(" time ")</span> <b>" \
  who "</b></span> " body "<br>\n"
#define SB_TEST_HTML_IN(time, who, body) SB_TEST_HTML_LINE ("A82F2F", time, who, body)
#define SB_TEST_HTML_OUT(time, body) SB_TEST_HTML_LINE ("16569E", time, "Me:", body)
#define SB_TEST_HTML_HEAD "<html><head><title>Conversation</title></head><body>\n"

/* Runs the built `smileback` (under $SMILEBACK_BUILD_ROOT) with @args
 * (NULL-terminated) and @env_extra ("NAME=VALUE" strings added to the
 * environment, may be NULL), stdin from /dev/null; returns its exit status,
 * its output in *@out and *@err (each may be NULL). */
int sb_test_run_cli (const char *const *args, const char *const *env_extra, char **out,
                     char **err);

/* Writes @data to @root/@path, making the folders. */
void sb_test_write_file (const char *root, const char *path, const char *data);

/* The same, then the file extended to @size bytes of NULs: one line that never
 * ends, however large, at no cost in disk (a sparse file). */
void sb_test_write_endless_line (const char *root, const char *path, const char *data,
                                 gint64 size);

G_END_DECLS
