/* test-screen.c: the model of a terminal the Finch tests read
 * (tests/common/sb-test-screen.c): what an xterm shows after what ncurses
 * sends it.  Table-driven: each case feeds bytes to a small screen and
 * compares every line.
 */
#include <string.h>

#include "sb-test-screen.h"

typedef struct
{
  const char *path;
  const char *input;
  const char *expected; /* the 4 x 10 screen, lines joined with '\n' */
} ScreenCase;

static const ScreenCase screen_cases[] = {
  { "/screen/text-and-newlines", "ab\r\ncd", "ab\ncd\n\n" },
  { "/screen/cursor-position", "\033[2;3Hx\033[Hy", "y\n  x\n\n" },
  { "/screen/relative-moves", "a\033[2Bb\033[1A\033[3Dc", "a\nc\n b\n" },
  { "/screen/line-and-column-absolute", "\033[3dx\033[5Gy", "\n\nx   y\n" },
  { "/screen/erase-to-end-of-line", "abcdef\033[1;3H\033[K", "ab\n\n\n" },
  { "/screen/erase-to-start-of-line", "abcdef\033[1;3H\033[1K", "   def\n\n\n" },
  { "/screen/erase-display", "ab\r\ncd\033[2J", "\n\n\n" },
  { "/screen/erase-characters", "abcdef\033[1;2H\033[3X", "a   ef\n\n\n" },
  { "/screen/delete-and-insert-characters", "abcdef\033[1;2H\033[2P\033[1;1H\033[1@",
    " adef\n\n\n" },
  { "/screen/repeat", "x\033[3b", "xxxx\n\n\n" },
  { "/screen/insert-mode", "abc\033[1;1H\033[4hX\033[4lY", "XYbc\n\n\n" },
  /* The cursor stays on the last column until the next character. */
  { "/screen/deferred-wrap", "0123456789\r\nx", "0123456789\nx\n\n" },
  { "/screen/wrap", "0123456789ab", "0123456789\nab\n\n" },
  { "/screen/scroll-at-bottom", "1\r\n2\r\n3\r\n4\r\n5", "2\n3\n4\n5" },
  { "/screen/scroll-region", "top\033[2;3r\033[3;1Hx\r\ny", "top\nx\ny\n" },
  { "/screen/reverse-index", "a\033[2;4r\033[2;1H\033Mb", "a\nb\n\n" },
  { "/screen/insert-and-delete-lines", "1\r\n2\r\n3\033[2;1H\033[1L", "1\n\n2\n3" },
  { "/screen/line-drawing", "\033(0lqk\033(Bx\r\n\033(0x\033(Ba", "+-+x\n|a\n\n" },
  { "/screen/colours-ignored", "\033[1;31mred\033[m \033]0;title\007ok", "red ok\n\n\n" },
  { "/screen/utf-8", "\342\212\227 dan", "\342\212\227 dan\n\n\n" },
  { "/screen/save-and-restore", "a\0337\033[3;3Hb\0338c", "ac\n\n  b\n" },
};

static void
test_screen (gconstpointer data)
{
  const ScreenCase *c = data;
  g_autoptr (SbTestScreen) screen = sb_test_screen_new (4, 10);
  g_autofree char *text = NULL;

  sb_test_screen_feed (screen, c->input, strlen (c->input));
  text = sb_test_screen_text (screen);
  g_assert_cmpstr (text, ==, c->expected);
}

/* A sequence or a character cut between two reads is kept for the next. */
static void
test_split_feeds (void)
{
  static const char input[] = "\033[2;3H\342\212\227x";
  g_autoptr (SbTestScreen) screen = sb_test_screen_new (4, 10);
  g_autofree char *line = NULL;

  for (gsize i = 0; i < strlen (input); i++)
    sb_test_screen_feed (screen, input + i, 1);
  line = sb_test_screen_line (screen, 1);
  g_assert_cmpstr (line, ==, "  \342\212\227x");
}

static void
test_find (void)
{
  g_autoptr (SbTestScreen) screen = sb_test_screen_new (4, 10);
  static const char input[] = "\033[3;2H\342\212\227 dan";
  int row = -1, col = -1;

  sb_test_screen_feed (screen, input, strlen (input));
  g_assert_true (sb_test_screen_find (screen, "dan", &row, &col));
  g_assert_cmpint (row, ==, 2);
  g_assert_cmpint (col, ==, 3); /* in cells: the glyph is one */
  g_assert_false (sb_test_screen_find (screen, "erin", NULL, NULL));
  g_assert_null (sb_test_screen_line (screen, 4));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (screen_cases); i++)
    g_test_add_data_func (screen_cases[i].path, &screen_cases[i], test_screen);
  g_test_add_func ("/screen/split-feeds", test_split_feeds);
  g_test_add_func ("/screen/find", test_find);
  return g_test_run ();
}
