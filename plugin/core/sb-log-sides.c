/* sb-log-sides.c: who wrote each record.
 *
 * In order of authority:
 *  1. an HTML line's colour (libpurple's own statement: sent or received);
 *  2. the name: the user goes by the options' own names and by the account
 *     the header names ("on jedi@example.com/Adium"), the buddy by the
 *     options' peer and peer names and by the header's "Conversation with X";
 *     full names first, then their part before "@";
 *  3. the two-party rule for names still unknown: with one side heard from,
 *     the most frequent unknown name is the other; with none, the most
 *     frequent is the buddy and the next the user (a guess, counted).
 */
#include "sb-log-reader-private.h"

/* Casefolded names of each side, in two tiers: full names, then the parts
 * before "@". */
typedef struct
{
  GPtrArray *own[2];
  GPtrArray *peer[2];
  gboolean ready; /* made at the first name without a colour */
} NameBook;

static void
book_add (GPtrArray *tiers[2], const char *name)
{
  if (name == NULL || *name == '\0')
    return;
  g_autofree char *folded = g_utf8_casefold (name, -1);
  char *slash = strchr (folded, '/');
  if (slash != NULL && slash != folded)
    *slash = '\0'; /* "jedi@example.com/Adium": the resource says nothing */
  const char *at = strchr (folded, '@');
  if (at != NULL && at != folded)
    g_ptr_array_add (tiers[1], g_strndup (folded, at - folded));
  g_ptr_array_add (tiers[0], g_steal_pointer (&folded));
}

static void
book_init (NameBook *book, const Parser *ps)
{
  book->ready = TRUE;
  for (int t = 0; t < 2; t++)
    {
      book->own[t] = g_ptr_array_new_with_free_func (g_free);
      book->peer[t] = g_ptr_array_new_with_free_func (g_free);
    }
  const SbLogReaderOptions *o = ps->opts;
  for (const char *const *n = o->own_names; n != NULL && *n != NULL; n++)
    book_add (book->own, *n);
  book_add (book->own, ps->file->title_account);
  book_add (book->peer, o->peer);
  for (const char *const *n = o->peer_names; n != NULL && *n != NULL; n++)
    book_add (book->peer, *n);
  book_add (book->peer, ps->file->title_name);
}

static void
book_clear (NameBook *book)
{
  if (!book->ready)
    return;
  for (int t = 0; t < 2; t++)
    {
      g_ptr_array_unref (book->own[t]);
      g_ptr_array_unref (book->peer[t]);
    }
}

static gboolean
in_list (GPtrArray *list, const char *folded)
{
  for (guint i = 0; i < list->len; i++)
    if (strcmp (list->pdata[i], folded) == 0)
      return TRUE;
  return FALSE;
}

/* The side @speaker's name says, the first tier where only one side has it. */
static Side
book_side (const NameBook *book, const char *speaker)
{
  g_autofree char *folded = g_utf8_casefold (speaker, -1);
  char *slash = strchr (folded, '/');
  for (int t = 0; t < 2; t++)
    for (int strip = 0; strip < 2; strip++)
      {
        if (strip == 1 && slash == NULL)
          continue;
        if (strip == 1)
          *slash = '\0';
        gboolean own = in_list (book->own[t], folded), peer = in_list (book->peer[t], folded);
        if (strip == 1)
          *slash = '/';
        if (own != peer)
          return own ? SIDE_OUT : SIDE_IN;
      }
  return SIDE_UNKNOWN;
}

/* ---- names ------------------------------------------------------------- */

static const char *
intern_name (Parser *ps, const char *p, gsize len)
{
  GString *buf = ps->buf;
  g_string_truncate (buf, 0);
  sb_log_append_clean (buf, p, len);
  if (ps->html)
    sb_log_decode_entities (buf);
  g_strstrip (buf->str);
  buf->len = strlen (buf->str);
  if (buf->len == 0)
    return NULL;
  return g_string_chunk_insert_const (ps->file->names, buf->str);
}

/* The last names seen as written, and their speakers: a conversation
 * alternates between a few, so most records skip the cleaning and hashing. */
#define RECENT_NAMES 4
typedef struct
{
  const char *raw[RECENT_NAMES];
  gsize len[RECENT_NAMES];
  const char *speaker[RECENT_NAMES];
  guint next;
} RecentNames;

static const char *
intern_recent (Parser *ps, RecentNames *rn, const char *p, gsize len, GHashTable *known)
{
  for (guint k = 0; k < RECENT_NAMES; k++)
    if (rn->raw[k] != NULL && rn->len[k] == len && memcmp (rn->raw[k], p, len) == 0)
      return rn->speaker[k];
  const char *speaker = intern_name (ps, p, len);
  if (speaker != NULL && known != NULL)
    g_hash_table_add (known, (gpointer) speaker);
  rn->raw[rn->next] = p;
  rn->len[rn->next] = len;
  rn->speaker[rn->next] = speaker;
  rn->next = (rn->next + 1) % RECENT_NAMES;
  return speaker;
}

/* Every named record's speaker; the sides colours give each name (the first
 * colour seen), into @colours; all names into @known (when not NULL). */
static void
intern_speakers (Parser *ps, GHashTable *colours, GHashTable *known)
{
  RecentNames recent = { { NULL }, { 0 }, { NULL }, 0 };
  const char *coloured = NULL; /* the last speaker known to be in @colours */
  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (r->name == NULL || (r->me && !ps->html))
        continue;
      r->speaker = intern_recent (ps, &recent, r->name, r->name_len, known);
      if (r->speaker == NULL)
        {
          r->kind = SB_EVENT_SYSTEM;
          r->side = SIDE_IN;
          continue;
        }
      if (r->side == SIDE_UNKNOWN || r->speaker == coloured)
        continue;
      if (!g_hash_table_contains (colours, r->speaker))
        {
          g_hash_table_insert (colours, (gpointer) r->speaker, GINT_TO_POINTER (r->side));
          if (r->side == SIDE_OUT)
            g_ptr_array_add (ps->file->own_seen, (gpointer) r->speaker);
        }
      coloured = r->speaker;
    }
}

/* TXT "***name action": the longest known name followed by a space, else the
 * first word. */
static void
split_txt_me (Record *r, GHashTable *known)
{
  gsize best = 0;
  GHashTableIter it;
  gpointer key;
  gsize avail = r->body_end - r->body;
  const char *nl = memchr (r->body, '\n', avail);
  if (nl != NULL)
    avail = nl - r->body;
  /* a conversation has a handful of names; a file with thousands is not one,
   * and must not cost names x lines */
  g_hash_table_iter_init (&it, known);
  while (g_hash_table_size (known) <= MAX_KNOWN_NAMES && g_hash_table_iter_next (&it, &key, NULL))
    {
      gsize n = strlen (key);
      if (n > best && n < avail && r->body[n] == ' ' && memcmp (r->body, key, n) == 0)
        best = n;
    }
  if (best == 0)
    {
      const char *sp = memchr (r->body, ' ', avail);
      best = sp != NULL ? (gsize) (sp - r->body) : avail;
    }
  r->name_len = best;
  r->body = MIN (r->body + best + 1, r->body_end);
}

static void
intern_txt_me_speakers (Parser *ps, GHashTable *known)
{
  if (ps->html)
    return;
  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (!r->me)
        continue;
      split_txt_me (r, known);
      r->speaker = intern_name (ps, r->name, r->name_len);
      if (r->speaker == NULL)
        r->kind = SB_EVENT_SYSTEM;
    }
}

/* ---- known sides ------------------------------------------------------- */

/* The side a name is known to be on: its colour, else its name. */
static Side
known_side (const Parser *ps, GHashTable *colours, NameBook *book, const char *speaker)
{
  gpointer v;
  if (g_hash_table_lookup_extended (colours, speaker, NULL, &v))
    return GPOINTER_TO_INT (v);
  if (!book->ready)
    book_init (book, ps);
  return book_side (book, speaker);
}

/* *@table, made at its first use: most files never need it. */
static GHashTable *
table_on_demand (GHashTable **table)
{
  if (*table == NULL)
    *table = g_hash_table_new (NULL, NULL);
  return *table;
}

/* Sets the side of every record whose name is known; @used says which sides
 * were heard from, *@unknown (made when needed) counts the records of each
 * name still unknown. */
static void
apply_known_sides (Parser *ps, GHashTable *colours, gboolean used[2], GHashTable **unknown)
{
  NameBook book = { .ready = FALSE };
  g_autoptr (GHashTable) sides = NULL; /* speaker -> Side */
  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (r->kind == SB_EVENT_SYSTEM)
        continue;
      if (r->speaker != NULL && r->side == SIDE_UNKNOWN)
        {
          gpointer v;
          if (!g_hash_table_lookup_extended (table_on_demand (&sides), r->speaker, NULL, &v))
            {
              v = GINT_TO_POINTER (known_side (ps, colours, &book, r->speaker));
              g_hash_table_insert (sides, (gpointer) r->speaker, v);
            }
          r->side = GPOINTER_TO_INT (v);
        }
      if (r->side != SIDE_UNKNOWN)
        used[r->side] = TRUE;
      else if (r->speaker != NULL)
        {
          GHashTable *counts = table_on_demand (unknown);
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, r->speaker));
          g_hash_table_insert (counts, (gpointer) r->speaker, GUINT_TO_POINTER (n + 1));
        }
    }
  book_clear (&book);
}

/* ---- the two-party rule ------------------------------------------------ */

/* The two most frequent unknown names (ties: the smaller name first). */
static void
two_most_frequent (GHashTable *unknown, const char **first, const char **second)
{
  guint first_n = 0, second_n = 0;
  GHashTableIter it;
  gpointer key, value;
  *first = *second = NULL;
  g_hash_table_iter_init (&it, unknown);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      guint n = GPOINTER_TO_UINT (value);
      if (n > first_n || (n == first_n && g_strcmp0 (key, *first) < 0))
        {
          *second = *first;
          second_n = first_n;
          *first = key;
          first_n = n;
        }
      else if (n > second_n || (n == second_n && g_strcmp0 (key, *second) < 0))
        {
          *second = key;
          second_n = n;
        }
    }
}

/* Any other unknown name in a TXT IM log is a system line that happens to
 * hold ": ".  In HTML, in /me lines and in chats an unknown name is someone
 * else. */
static void
apply_two_party_rule (Parser *ps, GHashTable *unknown, const gboolean used[2])
{
  const char *first, *second;
  two_most_frequent (unknown, &first, &second);
  gboolean chat = ps->opts->chat, none_heard = !used[SIDE_OUT] && !used[SIDE_IN];
  Side first_side = SIDE_UNKNOWN, second_side = SIDE_UNKNOWN;
  if (chat)
    first_side = second_side = SIDE_IN;
  else if (none_heard)
    {
      first_side = SIDE_IN;
      second_side = SIDE_OUT;
    }
  else
    first_side = !used[SIDE_IN] ? SIDE_IN : !used[SIDE_OUT] ? SIDE_OUT : SIDE_UNKNOWN;

  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (r->side != SIDE_UNKNOWN || r->kind == SB_EVENT_SYSTEM)
        continue;
      if (r->speaker == first && first_side != SIDE_UNKNOWN)
        r->side = first_side;
      else if (r->speaker == second && second_side != SIDE_UNKNOWN)
        r->side = second_side;
      else if (ps->html || r->me || chat)
        r->side = SIDE_IN;
      else
        {
          r->kind = SB_EVENT_SYSTEM;
          r->side = SIDE_IN;
          r->speaker = NULL;
          continue;
        }
      if (none_heard && !chat)
        ps->file->n_guessed++;
    }
}

void
sb_log_resolve_sides (Parser *ps)
{
  g_autoptr (GHashTable) colours = g_hash_table_new (NULL, NULL); /* speaker -> Side */
  /* names for TXT "/me" lines; HTML ones say their names */
  g_autoptr (GHashTable) known = ps->html ? NULL : g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) unknown = NULL; /* speaker -> records */
  gboolean used[2] = { FALSE, FALSE };

  intern_speakers (ps, colours, known);
  intern_txt_me_speakers (ps, known);
  apply_known_sides (ps, colours, used, &unknown);
  if (unknown != NULL)
    apply_two_party_rule (ps, unknown, used);
}
