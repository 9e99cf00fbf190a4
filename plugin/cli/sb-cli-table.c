/* sb-cli-table.c: text for a terminal: its width, the columns a string takes
 * (a CJK character two, a combining mark none) and cells cut to fit with an
 * ellipsis, so a table stays aligned whatever the names.  Control characters
 * in a name (a hostile buddy's escape sequences) are shown as '?'.
 */
#include "sb-cli-private.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define DEFAULT_WIDTH 80

int
sb_cli_terminal_width (void)
{
  struct winsize size;
  if (isatty (STDOUT_FILENO) && ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  const char *columns = g_getenv ("COLUMNS");
  gint64 n = columns != NULL ? g_ascii_strtoll (columns, NULL, 10) : 0;
  return n > 0 && n < 10000 ? (int) n : DEFAULT_WIDTH;
}

gboolean
sb_cli_utf8_locale (void)
{
  return g_get_charset (NULL);
}

static int
char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

int
sb_cli_display_width (const char *text)
{
  int width = 0;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += char_width (g_utf8_get_char (p));
  return width;
}

/* Appends to @out the characters of @text from @start that fit in @budget
 * columns; returns the columns used. */
static int
take_head (GString *out, const char *text, int budget)
{
  int used = 0;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      int w = char_width (g_utf8_get_char (p));
      if (used + w > budget)
        break;
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
      used += w;
    }
  return used;
}

/* The longest end of @text that fits in @budget columns (a pointer into it);
 * its width in *@used. */
static const char *
tail_start (const char *text, int budget, int *used)
{
  const char *start = text + strlen (text);
  *used = 0;
  while (start > text)
    {
      const char *prev = g_utf8_prev_char (start);
      int w = char_width (g_utf8_get_char (prev));
      if (*used + w > budget)
        break;
      *used += w;
      start = prev;
    }
  return start;
}

/* @text as valid UTF-8 with control characters replaced.  Caller frees. */
static char *
printable (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *out = g_string_new (NULL);
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      g_string_append_c (out, '?');
    else
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
  return g_string_free (out, FALSE);
}

/* @text cut to @width columns with an ellipsis; the width used in *@used. */
static char *
shorten (const char *text, int width, SbCliCut cut, int *used)
{
  const char *ellipsis = sb_cli_utf8_locale () ? "…" : "...";
  int ellipsis_width = (int) g_utf8_strlen (ellipsis, -1);
  GString *out = g_string_new (NULL);
  if (width <= ellipsis_width)
    {
      *used = take_head (out, text, width);
      return g_string_free (out, FALSE);
    }
  int budget = width - ellipsis_width;
  int head = cut == SB_CLI_CUT_MIDDLE ? (budget + 1) / 2 : budget;
  *used = take_head (out, text, head) + ellipsis_width;
  g_string_append (out, ellipsis);
  if (cut == SB_CLI_CUT_MIDDLE)
    {
      int tail_used = 0;
      g_string_append (out, tail_start (text, budget - head, &tail_used));
      *used += tail_used;
    }
  return g_string_free (out, FALSE);
}

char *
sb_cli_fit (const char *text, int width, SbCliCut cut, gboolean right)
{
  g_autofree char *clean = printable (text);
  int used = sb_cli_display_width (clean);
  g_autofree char *body = used <= width ? g_strdup (clean) : shorten (clean, width, cut, &used);
  g_autofree char *padding = g_strnfill ((gsize) MAX (width - used, 0), ' ');
  return right ? g_strconcat (padding, body, NULL) : g_strconcat (body, padding, NULL);
}
