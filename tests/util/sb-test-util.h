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

G_END_DECLS
