/* sb-log-line.c: one physical line of a log: does it open a record, and
 * where are its stamp, name and body.
 *
 * libpurple writes (html_logger_write and txt_logger_write in log.c):
 *   <font color="#C"><font size="2">(T)</font> <b>NAME:</b></font> BODY<br/>   (2.13)
 *   <span style="color: #C"><span style="font-size: smaller">(T)</span> <b>NAME:</b></span> BODY<br>
 *   (T) NAME: BODY                                                           (TXT)
 * and system, error, whisper, /me and raw variants of each.  In HTML the
 * colour C is libpurple's own statement of the direction; the name may be
 * empty (an account without a display name).  Only memchr/memmem-style
 * scanning, no allocation.
 */
#include "sb-log-reader-private.h"

const char *
sb_log_rfind (const char *p, const char *end, const char *lit, gsize n)
{
  for (const char *q = end - n; q >= p; q--)
    if (*q == lit[0] && memcmp (q, lit, n) == 0) /* a call only where it may match */
      return q;
  return NULL;
}

void
sb_log_trim_body (const char **b, const char **e, gboolean html)
{
  while (*e > *b && sb_log_is_space ((*e)[-1]))
    (*e)--;
  if (html)
    {
      if (ENDS (*b, *e, "<br/>"))
        *e -= 5;
      else if (ENDS (*b, *e, "<br>"))
        *e -= 4;
      else if (ENDS (*b, *e, "<br />"))
        *e -= 6;
    }
  while (*e > *b && sb_log_is_space (**b))
    (*b)++;
  while (*e > *b && sb_log_is_space ((*e)[-1]))
    (*e)--;
}

/* Splits "name: body", "name <AUTO-REPLY>: body" (any language: the marker is
 * whatever sits in angle brackets, escaped in HTML) for a TXT line or an HTML
 * <b> text. */
static void
split_auto_reply (Record *r, gboolean html)
{
  const char *end = r->name + r->name_len;
  const char *open = NULL;
  if (html ? ENDS (r->name, end, "&gt;") : ENDS (r->name, end, ">"))
    open = html ? sb_log_rfind (r->name, end, " &lt;", 5) : sb_log_rfind (r->name, end, " <", 2);
  if (open != NULL && (open > r->name || html))
    {
      /* in HTML the colour gives the side of a nameless auto-reply */
      r->kind = SB_EVENT_AUTO_REPLY;
      r->name_len = open - r->name;
    }
}

static void
open_body (Record *r, const char *body, const char *end)
{
  r->body = body;
  r->body_end = end;
  r->body_open = TRUE;
}

/* ---- HTML -------------------------------------------------------------- */

/* The value of a hexadecimal digit, -1 for any other byte (inline: once per
 * colour digit of every line). */
static inline int
hex_digit (char c)
{
  char lower = (char) (c | 0x20);
  if (c >= '0' && c <= '9')
    return c - '0';
  return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}

/* The colour wrapper, when there: *@colour, and TRUE; FALSE when the line
 * has none or a malformed one (*@q is then unchanged or unusable). */
static gboolean
read_colour (const char **q, const char *end, guint32 *colour)
{
  if (!EAT (q, end, "<font color=\"#") && !EAT (q, end, "<span style=\"color: #")
      && !EAT (q, end, "<span style=\"color:#"))
    return FALSE;
  if (end - *q < 8)
    return FALSE;
  *colour = 0;
  for (int i = 0; i < 6; i++)
    {
      int digit = hex_digit ((*q)[i]);
      if (digit < 0)
        return FALSE;
      *colour = *colour << 4 | (guint32) digit;
    }
  *q += 6;
  return EAT (q, end, "\">");
}

/* "<font size="2">(T)</font>" or its <span> form: the stamp into @r. */
static gboolean
read_html_stamp (const char **q, const char *end, Record *r)
{
  if (!EAT (q, end, "<font size=\"2\">(") && !EAT (q, end, "<span style=\"font-size: smaller\">("))
    return FALSE;
  const char *close = FIND (*q, MIN (end, *q + MAX_STAMP), ")</");
  if (close == NULL)
    return FALSE;
  r->stamp = *q;
  r->stamp_len = close - *q;
  *q = close + 1;
  return (EAT (q, end, "</font>") || EAT (q, end, "</span>"))
         && sb_log_read_stamp (r->stamp, r->stamp_len, &r->st);
}

/* "<b>***NAME</b> action" in the /me colour: the colour does not say who. */
static void
html_me_line (Record *r, const char *b, const char *b_end, const char *body, const char *end)
{
  r->kind = SB_EVENT_MESSAGE;
  r->me = TRUE;
  r->side = SIDE_UNKNOWN;
  r->name = b + 3;
  r->name_len = b_end - b - 3;
  open_body (r, body, end);
}

/* System "<b> text</b>", error, whisper "<b> name:</b> text". */
static void
html_system_line (Record *r, const char *b, const char *b_end, const char *body, const char *end)
{
  const char *rest = body, *rest_end = end;
  sb_log_trim_body (&rest, &rest_end, TRUE);
  if (rest < rest_end)
    open_body (r, body, end);
  else
    {
      r->body = b;
      r->body_end = b_end;
    }
}

static Side
colour_side (guint32 colour)
{
  return colour == COLOUR_SENT ? SIDE_OUT : colour == COLOUR_RECV ? SIDE_IN : SIDE_UNKNOWN;
}

/* "<b>NAME:</b> body" in a colour: a message; the colour, when libpurple's
 * sent or received one, says the side whatever the name (which may be empty). */
static void
html_message_line (Record *r, guint32 colour, const char *b, const char *b_end,
                   const char *body, const char *end)
{
  r->kind = SB_EVENT_MESSAGE;
  r->side = colour_side (colour);
  r->name = b;
  r->name_len = b_end - b - 1;
  open_body (r, body, end);
  split_auto_reply (r, TRUE);
  if (r->name_len == 0)
    {
      r->name = NULL;
      if (r->side == SIDE_UNKNOWN)
        r->kind = SB_EVENT_SYSTEM; /* nobody said it */
    }
}

gboolean
sb_log_parse_html_line (const char *p, const char *end, Record *r)
{
  const char *q = p;
  guint32 colour = 0;
  gboolean coloured = read_colour (&q, end, &colour);
  if (!coloured && q != p)
    return FALSE; /* a broken colour wrapper */
  if (!read_html_stamp (&q, end, r))
    return FALSE;

  r->kind = SB_EVENT_SYSTEM;
  r->side = SIDE_IN;
  if (q < end && *q == ' ')
    q++;
  const char *b = q;
  const char *b_end = EAT (&b, end, "<b>") ? FIND (b, end, "</b>") : NULL;
  if (b_end == NULL)
    {
      open_body (r, b, end); /* a raw line "(T) text", or no </b> */
      return TRUE;
    }
  q = b_end + 4;
  if (coloured && !EAT (&q, end, "</font>"))
    EAT (&q, end, "</span>");
  if (q < end && *q == ' ')
    q++;

  if (coloured && colour == COLOUR_ME && b_end - b > 3 && memcmp (b, "***", 3) == 0)
    html_me_line (r, b, b_end, q, end);
  else if (!coloured || colour == COLOUR_ERROR || colour == COLOUR_WHISPER || b_end == b
           || b_end[-1] != ':' || (b[0] == ' ' && colour_side (colour) == SIDE_UNKNOWN))
    html_system_line (r, b, b_end, q, end);
  else
    html_message_line (r, colour, b, b_end, q, end);
  return TRUE;
}

/* ---- TXT --------------------------------------------------------------- */

/* "(T) " at the start: the stamp into @r, *@q after it. */
static gboolean
read_txt_stamp (const char *p, const char *end, const char **q, Record *r)
{
  if (p >= end || *p != '(')
    return FALSE;
  const char *close = memchr (p, ')', MIN (end - p, MAX_STAMP));
  if (close == NULL || (close + 1 < end && close[1] != ' '))
    return FALSE;
  r->stamp = p + 1;
  r->stamp_len = close - p - 1;
  if (!sb_log_read_stamp (r->stamp, r->stamp_len, &r->st))
    return FALSE;
  *q = close + 1 < end ? close + 2 : close + 1;
  return TRUE;
}

/* Where "name: " ends, or NULL: within MAX_NAME, or "name:" ending the line
 * (an empty first line). */
static const char *
txt_name_colon (const char *q, const char *end)
{
  const char *colon = FIND (q, MIN (end, q + MAX_NAME), ": ");
  if (colon == NULL && end - q >= 1 && end[-1] == ':' && end - q <= MAX_NAME)
    colon = end - 1;
  return colon;
}

gboolean
sb_log_parse_txt_line (const char *p, const char *end, Record *r)
{
  const char *q;
  if (!read_txt_stamp (p, end, &q, r))
    return FALSE;
  open_body (r, q, end);
  r->side = SIDE_IN;
  r->kind = SB_EVENT_SYSTEM;

  if (end - q > 3 && memcmp (q, "***", 3) == 0)
    {
      /* "***name action": where the name ends is decided with the names known */
      r->kind = SB_EVENT_MESSAGE;
      r->me = TRUE;
      r->side = SIDE_UNKNOWN;
      r->name = q + 3;
      r->body = q + 3;
      return TRUE;
    }
  const char *colon = txt_name_colon (q, end);
  if (colon == q && colon + 1 < end)
    {
      /* ": body": libpurple names the buddy's lines after the buddy; only
       * the user's can go without a name (an account without a display
       * name), as the sent colour shows in HTML logs */
      r->kind = SB_EVENT_MESSAGE;
      r->side = SIDE_OUT;
      r->body = MIN (colon + 2, end);
      return TRUE;
    }
  if (colon != NULL && colon > q && *q != ' ' && *q != '*')
    {
      r->kind = SB_EVENT_MESSAGE;
      r->side = SIDE_UNKNOWN;
      r->name = q;
      r->name_len = colon - q;
      r->body = MIN (colon + 2, end);
      split_auto_reply (r, FALSE);
    }
  return TRUE;
}

/* ---- headers and footers ----------------------------------------------- */

gboolean
sb_log_is_footer (const char *p, const char *end)
{
  return EAT (&p, end, "</p>") || EAT (&p, end, "</body>") || EAT (&p, end, "</html>");
}

gboolean
sb_log_is_header (const char *p, const char *end, gboolean html)
{
  if (html)
    return EAT (&p, end, "<!DOCTYPE") || EAT (&p, end, "<html");
  return EAT (&p, end, "Conversation with ") || EAT (&p, end, "System log for account ");
}

static char *
clean_copy (const char *p, const char *end)
{
  g_autoptr (GString) buf = g_string_new (NULL);
  sb_log_append_clean (buf, p, end - p);
  return g_string_free (g_steal_pointer (&buf), FALSE);
}

/* "... on ACCOUNT (PRPL)" at the end of a title. */
static void
parse_title_account (SbLogFile *file, const char *at, const char *e)
{
  const char *on = sb_log_rfind (at, e, " on ", 4);
  const char *paren = sb_log_rfind (at, e, " (", 2);
  /* " on (jabber)" names no account */
  if (on == NULL || paren == NULL || paren < on + 4 || e[-1] != ')')
    return;
  file->title_account = clean_copy (on + 4, paren);
  file->title_protocol = clean_copy (paren + 2, e - 1);
}

/* "Conversation with X at DATE on ACCOUNT (PRPL)", wrapped in <title> in HTML. */
gboolean
sb_log_parse_header (SbLogFile *file, const char *p, const char *end, GError **error)
{
  const char *s = FIND (p, end, "System log for account ");
  if (s != NULL && (file->format == SB_LOG_FORMAT_TXT || FIND (p, s, "<title>") != NULL))
    {
      g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_SYSTEM,
                           "a system log, not a conversation");
      return FALSE;
    }
  s = FIND (p, end, "Conversation with ");
  if (s == NULL || file->title_name != NULL)
    return TRUE; /* a second header: two windows opened in the same second */
  s += strlen ("Conversation with ");
  const char *e = FIND (s, end, "</");
  if (e == NULL)
    e = end;
  const char *at = FIND (s, e, " at ");
  if (at == NULL)
    return TRUE;
  file->title_name = clean_copy (s, at);
  parse_title_account (file, at, e);
  return TRUE;
}
