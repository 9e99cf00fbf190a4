/* sb-test-screen.c: a terminal's grid of characters, from what an xterm
 * receives (see sb-test-screen.h).
 *
 * A byte-at-a-time state machine: ground (text), escape, CSI (parameters
 * then a final byte), a charset designation, and strings to skip (OSC).
 * The sequences are those of xterm's terminfo entry that ncurses uses.
 */
#include "sb-test-screen.h"

#include <string.h>

/* At most this many numeric parameters in one CSI sequence. */
#define MAX_PARAMS 16

typedef enum
{
  STATE_GROUND,
  STATE_ESCAPE,
  STATE_CSI,
  STATE_CHARSET, /* ESC ( or ESC ): one more byte names the set */
  STATE_OSC,     /* ESC ]: until BEL or ESC \ */
  STATE_OSC_ESCAPE,
} State;

struct _SbTestScreen
{
  int rows, cols;
  gunichar *cells; /* rows * cols */
  int row, col;
  gboolean wrap_pending; /* the last column was written: the next character wraps */
  int top, bottom;       /* the scroll region, inclusive */
  int saved_row, saved_col;
  gboolean insert_mode;
  gboolean line_drawing; /* the active set is DEC special graphics */
  gboolean g0_drawing, g1_drawing, shifted_out;
  gunichar last_char;    /* for CSI b (repeat) */

  State state;
  int params[MAX_PARAMS];
  int n_params;
  gboolean private_marker; /* CSI ? ... */
  char charset_slot;       /* '(' or ')' */

  /* A UTF-8 sequence being read. */
  gunichar utf8_char;
  int utf8_left;
};

static gunichar *
cell (SbTestScreen *s, int row, int col)
{
  return &s->cells[row * s->cols + col];
}

static void
clear_cells (SbTestScreen *s, int row, int from, int to)
{
  for (int c = MAX (from, 0); c < MIN (to, s->cols); c++)
    *cell (s, row, c) = ' ';
}

static void
clear_rows (SbTestScreen *s, int from, int to)
{
  for (int r = MAX (from, 0); r < MIN (to, s->rows); r++)
    clear_cells (s, r, 0, s->cols);
}

SbTestScreen *
sb_test_screen_new (int rows, int cols)
{
  SbTestScreen *s = g_new0 (SbTestScreen, 1);

  g_return_val_if_fail (rows > 0 && cols > 0, NULL);
  s->rows = rows;
  s->cols = cols;
  s->cells = g_new (gunichar, (gsize) rows * cols);
  s->bottom = rows - 1;
  clear_rows (s, 0, rows);
  return s;
}

void
sb_test_screen_free (SbTestScreen *screen)
{
  if (screen == NULL)
    return;
  g_free (screen->cells);
  g_free (screen);
}

/* Moves rows @from..@to (inclusive) up by @n, blank rows coming in below. */
static void
scroll_up (SbTestScreen *s, int from, int to, int n)
{
  n = MIN (n, to - from + 1);
  if (n <= 0)
    return;
  memmove (cell (s, from, 0), cell (s, from + n, 0),
           sizeof (gunichar) * (gsize) s->cols * (gsize) (to - from + 1 - n));
  clear_rows (s, to - n + 1, to + 1);
}

/* Moves rows @from..@to (inclusive) down by @n, blank rows coming in above. */
static void
scroll_down (SbTestScreen *s, int from, int to, int n)
{
  n = MIN (n, to - from + 1);
  if (n <= 0)
    return;
  memmove (cell (s, from + n, 0), cell (s, from, 0),
           sizeof (gunichar) * (gsize) s->cols * (gsize) (to - from + 1 - n));
  clear_rows (s, from, from + n);
}

static void
line_feed (SbTestScreen *s)
{
  s->wrap_pending = FALSE;
  if (s->row == s->bottom)
    scroll_up (s, s->top, s->bottom, 1);
  else if (s->row < s->rows - 1)
    s->row++;
}

static void
reverse_index (SbTestScreen *s)
{
  s->wrap_pending = FALSE;
  if (s->row == s->top)
    scroll_down (s, s->top, s->bottom, 1);
  else if (s->row > 0)
    s->row--;
}

static void
move_to (SbTestScreen *s, int row, int col)
{
  s->row = CLAMP (row, 0, s->rows - 1);
  s->col = CLAMP (col, 0, s->cols - 1);
  s->wrap_pending = FALSE;
}

/* DEC special graphics as plain ASCII: corners and crossings '+', lines
 * '-' and '|', the scroll bar's checkerboard '#'. */
static gunichar
line_drawing_char (gunichar c)
{
  switch (c)
    {
    case 'j': case 'k': case 'l': case 'm': case 'n':
    case 't': case 'u': case 'v': case 'w':
      return '+';
    case 'q':
      return '-';
    case 'x':
      return '|';
    case 'a':
      return '#';
    default:
      return c;
    }
}

static void
put_char (SbTestScreen *s, gunichar c)
{
  if (s->line_drawing && c < 0x80)
    c = line_drawing_char (c);
  if (s->wrap_pending)
    {
      s->col = 0;
      line_feed (s);
    }
  if (s->insert_mode)
    memmove (cell (s, s->row, s->col + 1), cell (s, s->row, s->col),
             sizeof (gunichar) * (gsize) (s->cols - s->col - 1));
  *cell (s, s->row, s->col) = c;
  s->last_char = c;
  if (s->col == s->cols - 1)
    s->wrap_pending = TRUE;
  else
    s->col++;
}

static int
param (SbTestScreen *s, int index, int fallback)
{
  return index < s->n_params && s->params[index] > 0 ? s->params[index] : fallback;
}

static void
erase_in_line (SbTestScreen *s, int how)
{
  if (how == 0)
    clear_cells (s, s->row, s->col, s->cols);
  else if (how == 1)
    clear_cells (s, s->row, 0, s->col + 1);
  else
    clear_cells (s, s->row, 0, s->cols);
}

static void
erase_in_display (SbTestScreen *s, int how)
{
  if (how == 0)
    {
      erase_in_line (s, 0);
      clear_rows (s, s->row + 1, s->rows);
    }
  else if (how == 1)
    {
      clear_rows (s, 0, s->row);
      erase_in_line (s, 1);
    }
  else
    clear_rows (s, 0, s->rows);
}

static void
set_modes (SbTestScreen *s, gboolean on)
{
  /* Only insert mode (4) changes what is drawn; private modes are ignored. */
  if (s->private_marker)
    return;
  for (int i = 0; i < s->n_params; i++)
    if (s->params[i] == 4)
      s->insert_mode = on;
}

static void
csi_dispatch (SbTestScreen *s, char final)
{
  int n = param (s, 0, 1);

  switch (final)
    {
    case 'A': move_to (s, s->row - n, s->col); break;
    case 'B': move_to (s, s->row + n, s->col); break;
    case 'C': move_to (s, s->row, s->col + n); break;
    case 'D': move_to (s, s->row, s->col - n); break;
    case 'E': move_to (s, s->row + n, 0); break;
    case 'F': move_to (s, s->row - n, 0); break;
    case 'G': case '`': move_to (s, s->row, n - 1); break;
    case 'd': move_to (s, n - 1, s->col); break;
    case 'H': case 'f': move_to (s, param (s, 0, 1) - 1, param (s, 1, 1) - 1); break;
    case 'J': erase_in_display (s, s->n_params > 0 ? s->params[0] : 0); break;
    case 'K': erase_in_line (s, s->n_params > 0 ? s->params[0] : 0); break;
    case 'X': clear_cells (s, s->row, s->col, s->col + n); break;
    case 'P':
      n = MIN (n, s->cols - s->col);
      memmove (cell (s, s->row, s->col), cell (s, s->row, s->col + n),
               sizeof (gunichar) * (gsize) (s->cols - s->col - n));
      clear_cells (s, s->row, s->cols - n, s->cols);
      break;
    case '@':
      n = MIN (n, s->cols - s->col);
      memmove (cell (s, s->row, s->col + n), cell (s, s->row, s->col),
               sizeof (gunichar) * (gsize) (s->cols - s->col - n));
      clear_cells (s, s->row, s->col, s->col + n);
      break;
    case 'L':
      if (s->row >= s->top && s->row <= s->bottom)
        scroll_down (s, s->row, s->bottom, n);
      break;
    case 'M':
      if (s->row >= s->top && s->row <= s->bottom)
        scroll_up (s, s->row, s->bottom, n);
      break;
    case 'S': scroll_up (s, s->top, s->bottom, n); break;
    case 'T': scroll_down (s, s->top, s->bottom, n); break;
    case 'b':
      for (int i = 0; i < n && i < s->cols * s->rows; i++)
        put_char (s, s->last_char);
      break;
    case 'r':
      s->top = CLAMP (param (s, 0, 1) - 1, 0, s->rows - 1);
      s->bottom = CLAMP (param (s, 1, s->rows) - 1, s->top, s->rows - 1);
      move_to (s, 0, 0);
      break;
    case 'h': set_modes (s, TRUE); break;
    case 'l': set_modes (s, FALSE); break;
    case 's': s->saved_row = s->row; s->saved_col = s->col; break;
    case 'u': move_to (s, s->saved_row, s->saved_col); break;
    default: break; /* m (colours), n (reports), t, ...: nothing drawn */
    }
}

static void
update_charset (SbTestScreen *s)
{
  s->line_drawing = s->shifted_out ? s->g1_drawing : s->g0_drawing;
}

static void
escape_dispatch (SbTestScreen *s, char c)
{
  s->state = STATE_GROUND;
  switch (c)
    {
    case '[':
      s->state = STATE_CSI;
      s->n_params = 0;
      s->private_marker = FALSE;
      memset (s->params, 0, sizeof s->params);
      break;
    case ']': s->state = STATE_OSC; break;
    case '(': case ')':
      s->state = STATE_CHARSET;
      s->charset_slot = c;
      break;
    case 'D': line_feed (s); break;
    case 'E': s->col = 0; line_feed (s); break;
    case 'M': reverse_index (s); break;
    case '7': s->saved_row = s->row; s->saved_col = s->col; break;
    case '8': move_to (s, s->saved_row, s->saved_col); break;
    case 'c':
      clear_rows (s, 0, s->rows);
      s->top = 0;
      s->bottom = s->rows - 1;
      move_to (s, 0, 0);
      break;
    default: break; /* = > (keypad modes) and others: nothing drawn */
    }
}

static void
control (SbTestScreen *s, guchar c)
{
  switch (c)
    {
    case '\r': s->col = 0; s->wrap_pending = FALSE; break;
    case '\n': case '\v': case '\f': line_feed (s); break;
    case '\b':
      if (s->col > 0)
        s->col--;
      s->wrap_pending = FALSE;
      break;
    case '\t': move_to (s, s->row, MIN ((s->col / 8 + 1) * 8, s->cols - 1)); break;
    case 0x0e: s->shifted_out = TRUE; update_charset (s); break;
    case 0x0f: s->shifted_out = FALSE; update_charset (s); break;
    case 0x1b: s->state = STATE_ESCAPE; break;
    default: break; /* BEL and the rest */
    }
}

/* The first byte @c of a multi-byte UTF-8 character; a stray continuation
 * byte is dropped. */
static void
start_utf8 (SbTestScreen *s, guchar c)
{
  int length = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

  if (length == 0)
    return;
  s->utf8_char = c & (0x7f >> length);
  s->utf8_left = length - 1;
}

static void
ground (SbTestScreen *s, guchar c)
{
  if (s->utf8_left > 0)
    {
      if ((c & 0xc0) == 0x80)
        {
          s->utf8_char = (s->utf8_char << 6) | (c & 0x3f);
          if (--s->utf8_left == 0)
            put_char (s, s->utf8_char);
          return;
        }
      s->utf8_left = 0; /* a broken sequence: drop it, read @c afresh */
    }
  if (c < 0x20 || c == 0x7f)
    control (s, c);
  else if (c < 0x80)
    put_char (s, c);
  else
    start_utf8 (s, c);
}

static void
csi_byte (SbTestScreen *s, guchar c)
{
  if (c >= '0' && c <= '9')
    {
      if (s->n_params == 0)
        s->n_params = 1;
      if (s->n_params <= MAX_PARAMS)
        s->params[s->n_params - 1] = MIN (s->params[s->n_params - 1] * 10 + (c - '0'), 100000);
    }
  else if (c == ';')
    {
      if (s->n_params == 0)
        s->n_params = 1;
      if (s->n_params < MAX_PARAMS)
        s->params[s->n_params++] = 0;
    }
  else if (c == '?' || c == '>' || c == '=' || c == '!')
    s->private_marker = TRUE;
  else if (c >= 0x40 && c <= 0x7e)
    {
      s->n_params = MIN (s->n_params, MAX_PARAMS);
      s->state = STATE_GROUND;
      csi_dispatch (s, (char) c);
    }
  else if (c < 0x20)
    control (s, c); /* controls act even inside a sequence */
}

void
sb_test_screen_feed (SbTestScreen *s, const char *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];

      switch (s->state)
        {
        case STATE_GROUND: ground (s, c); break;
        case STATE_ESCAPE: escape_dispatch (s, (char) c); break;
        case STATE_CSI: csi_byte (s, c); break;
        case STATE_CHARSET:
          if (s->charset_slot == '(')
            s->g0_drawing = c == '0';
          else
            s->g1_drawing = c == '0';
          update_charset (s);
          s->state = STATE_GROUND;
          break;
        case STATE_OSC:
          if (c == 0x07)
            s->state = STATE_GROUND;
          else if (c == 0x1b)
            s->state = STATE_OSC_ESCAPE;
          break;
        case STATE_OSC_ESCAPE: s->state = c == '\\' ? STATE_GROUND : STATE_OSC; break;
        }
    }
}

char *
sb_test_screen_line (SbTestScreen *s, int row)
{
  GString *line;
  gsize keep;

  if (row < 0 || row >= s->rows)
    return NULL;
  line = g_string_new (NULL);
  for (int c = 0; c < s->cols; c++)
    g_string_append_unichar (line, *cell (s, row, c));
  keep = line->len;
  while (keep > 0 && line->str[keep - 1] == ' ')
    keep--;
  g_string_truncate (line, keep);
  return g_string_free (line, FALSE);
}

char *
sb_test_screen_text (SbTestScreen *s)
{
  GString *text = g_string_new (NULL);

  for (int r = 0; r < s->rows; r++)
    {
      g_autofree char *line = sb_test_screen_line (s, r);

      g_string_append_printf (text, "%s%s", r > 0 ? "\n" : "", line);
    }
  return g_string_free (text, FALSE);
}

gboolean
sb_test_screen_find (SbTestScreen *s, const char *text, int *row, int *col)
{
  for (int r = 0; r < s->rows; r++)
    {
      g_autofree char *line = sb_test_screen_line (s, r);
      const char *at = strstr (line, text);

      if (at != NULL)
        {
          if (row != NULL)
            *row = r;
          if (col != NULL)
            *col = (int) g_utf8_strlen (line, at - line);
          return TRUE;
        }
    }
  return FALSE;
}
