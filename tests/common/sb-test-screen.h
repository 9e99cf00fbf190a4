/* sb-test-screen.h: what a terminal shows, for tests that drive Finch.
 *
 * Shared test harness (tests/common, static library sb_test_common).
 *
 * A small model of the terminal Finch draws on (TERM=xterm): it is fed the
 * bytes Finch writes to its pseudo-terminal and keeps the grid of characters
 * a person would see, so a test reads the screen (which line says what, under
 * which heading) rather than searching the byte stream.  It understands what
 * ncurses sends an xterm: printable UTF-8 with deferred wrapping, cursor
 * moves, erasing, inserting and deleting characters and lines, scroll
 * regions, repeats, insert mode, and the line-drawing character set (drawn
 * as '+', '-' and '|').  Colours and attributes are ignored.  Sequences cut
 * between two feeds are kept until the rest arrives.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbTestScreen SbTestScreen;

/* A blank screen of @rows lines of @cols cells.  Free with
 * sb_test_screen_free(). */
SbTestScreen *sb_test_screen_new (int rows, int cols);
/* NULL-safe. */
void sb_test_screen_free (SbTestScreen *screen);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbTestScreen, sb_test_screen_free)

/* Interprets @len bytes of terminal output.  Never fails: what it does not
 * know is skipped. */
void sb_test_screen_feed (SbTestScreen *screen, const char *data, gsize len);

/* Line @row (0-based) as UTF-8 without trailing blanks; NULL when out of
 * range.  Caller frees. */
char *sb_test_screen_line (SbTestScreen *screen, int row);

/* The whole screen, one line per row joined with '\n'.  Caller frees. */
char *sb_test_screen_text (SbTestScreen *screen);

/* TRUE when @text stands on one line of the screen, the first such place
 * (top to bottom, left to right) in *@row and *@col (in cells; either may be
 * NULL). */
gboolean sb_test_screen_find (SbTestScreen *screen, const char *text, int *row, int *col);

G_END_DECLS
