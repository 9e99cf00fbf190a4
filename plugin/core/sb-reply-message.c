/* sb-reply-message.c: reading a group-chat message for the reply scorer.
 *
 * What the decision needs from a message's text, which is then dropped: whom
 * it addresses (the member nicks it names, with the leading "nick:" apart),
 * whether it opens with a greeting or an "and", "thanks", "yes", whether it
 * asks or is a bot "!command", its length, and the hashes of its uncommon
 * words.  Nicks are looked up in the room's members; short nicks and common
 * words count only in the addressed form.
 */
#include "sb-reply-private.h"

#include <string.h>

/* Words too common to tell threads apart, and to be taken for nicks when
 * said mid-sentence. */
static const char *const common_words[] = {
  "the",   "and",   "for",   "you",   "your",  "are",   "not",   "but",   "can",   "all",
  "any",   "has",   "have",  "was",   "what",  "how",   "why",   "who",   "when",  "where",
  "this",  "that",  "with",  "from",  "just",  "its",   "it's",  "yes",   "yeah",  "there",
  "then",  "than",  "them",  "they",  "will",  "would", "should", "could", "does", "did",
  "don't", "dont",  "i'm",   "like",  "get",   "got",   "use",   "one",   "out",   "about",
  "some",  "try",   "know",  "need",  "want",  "also",  "only",  "well",  "now",   "here",
  "into",  "way",   "which", "been",  "being", "help",  "thanks", "thank", "hello", "ok",
  "okay",  "sure",  "see",   "doesn", "isn",   "can't", "cant",  "more",  "think", "make",
  "work",  "good",  "still", "too",   "very",  "much",  "his",   "her",   "she",   "him",
  "our",   "who's", "that's", "there's", "let",  "say",   "said",  "nick",  "root",  "sudo",
  "linux", "ubuntu", "please", "anyone", "someone", "something", "other", "same", "new",
  "old",   "via",   "off",   "over",  "after", "before", "again", "still", "never", "ever",
  NULL,
};

static gboolean
is_common_word (const char *word)
{
  static GHashTable *table;
  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
      for (const char *const *w = common_words; *w != NULL; w++)
        g_hash_table_add (t, (gpointer) *w);
      g_once_init_leave (&table, t);
    }
  return g_hash_table_contains (table, word);
}

/* @word, trailing punctuation aside, says hello. */
static gboolean
is_greeting (const char *word)
{
  g_autofree char *core = g_strdup (word);
  for (gsize len = strlen (core); len > 0 && g_ascii_ispunct (core[len - 1]); len--)
    core[len - 1] = '\0';
  static const char *const greetings[] = { "hi",  "hello", "hey",     "hiya",  "howdy", "yo",
                                           "hola", "morning", "evening", "greetings", "heya",
                                           "sup", "hallo", "salut", "bonjour", NULL };
  for (const char *const *g = greetings; *g != NULL; g++)
    if (g_str_equal (core, *g))
      return TRUE;
  return FALSE;
}

/* How a message opening with @word goes on: 1 it continues ("and", "but"),
 * 2 it thanks, 3 it answers yes or no, 0 anything else. */
static guint
opener_kind (const char *word)
{
  static const char *const kinds[][8] = {
    { "and", "but", "or", "also", "so", "because", "then", NULL },
    { "thanks", "thank", "thx", "ty", "cheers", "thanx", "tnx", NULL },
    { "yes", "no", "yeah", "nope", "yep", "yup", "nah", NULL },
  };
  g_autofree char *core = g_strdup (word);
  for (gsize len = strlen (core); len > 0 && g_ascii_ispunct (core[len - 1]); len--)
    core[len - 1] = '\0';
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (const char *const *w = kinds[k]; *w != NULL; w++)
      if (g_str_equal (core, *w))
        return k + 1;
  return 0;
}

static guint32
word_hash (const char *word, gsize len)
{
  guint32 h = 2166136261u; /* FNV-1a */
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) word[i]) * 16777619u;
  return h;
}

static void
add_word (Message *m, const char *lowered, gsize start, gsize end)
{
  if (end - start < 3 || m->n_words >= SB_REPLY_MAX_WORDS)
    return;
  g_autofree char *word = g_strndup (lowered + start, end - start);
  if (is_common_word (word))
    return;
  guint32 h = word_hash (word, end - start);
  for (guint i = 0; i < m->n_words; i++)
    if (m->words[i] == h)
      return;
  m->words[m->n_words++] = h;
}

/* The hashes of @lowered's words: runs of letters, digits and non-ASCII. */
static void
read_words (Message *m, const char *lowered)
{
  gsize start = 0, i = 0;
  gboolean in_word = FALSE;
  for (; lowered[i] != '\0'; i++)
    {
      guchar c = (guchar) lowered[i];
      gboolean word_char = g_ascii_isalnum (c) || c >= 0x80 || c == '\''
                           || (c == '.' && in_word && g_ascii_isdigit (lowered[i + 1]));
      if (word_char && !in_word)
        start = i;
      else if (!word_char && in_word)
        add_word (m, lowered, start, i);
      in_word = word_char;
    }
  if (in_word)
    add_word (m, lowered, start, i);
}

/* The member key @token names, trying it whole, then without its trailing
 * and then its leading punctuation ("bob:", "(bob)"; "bob's" is not bob). */
static const char *
lookup_nick (SbReplyRoom *room, const char *token)
{
  gpointer found = NULL;
  if (g_hash_table_lookup_extended (room->members, token, &found, NULL))
    return found;
  g_autofree char *core = g_strdup (token);
  gsize len = strlen (core);
  while (len > 0 && g_ascii_ispunct (core[len - 1]))
    {
      core[--len] = '\0';
      if (g_hash_table_lookup_extended (room->members, core, &found, NULL))
        return found;
    }
  for (const char *p = core; *p != '\0' && g_ascii_ispunct (*p);)
    {
      p++;
      if (g_hash_table_lookup_extended (room->members, p, &found, NULL))
        return found;
    }
  return NULL;
}

/* The member @token addresses, if any.  Short nicks and common words count
 * only as a message's @first word followed by ':' or ','. */
static const char *
token_member (SbReplyRoom *room, const char *token, gboolean first)
{
  const char *found = lookup_nick (room, token);
  if (found == NULL)
    return NULL;
  gsize len = strlen (token);
  gboolean addressed_form = first && len > 1 && (token[len - 1] == ':' || token[len - 1] == ',');
  if (strlen (found) <= 2 || is_common_word (found))
    return addressed_form ? found : NULL;
  return found;
}

/* Whom @lowered addresses: known nicks other than the speaker's own. */
static void
read_targets (SbReplyRoom *room, Message *m, const char *lowered)
{
  g_auto (GStrv) tokens = g_strsplit_set (lowered, " \t\r\n", -1);
  gboolean first = TRUE;
  for (char **t = tokens; *t != NULL && m->n_targets < SB_REPLY_MAX_TARGETS; t++)
    {
      if (**t == '\0')
        continue;
      const char *nick = token_member (room, *t, first);
      if (nick != NULL && !g_str_equal (nick, m->key))
        {
          gboolean seen = FALSE;
          for (guint i = 0; i < m->n_targets; i++)
            seen = seen || g_str_equal (m->targets[i], nick);
          if (!seen)
            {
              if (first)
                m->lead_address = TRUE;
              m->targets[m->n_targets++] = g_strdup (nick);
            }
        }
      if (first)
        {
          m->greeting = is_greeting (*t);
          m->opener = opener_kind (*t);
        }
      first = FALSE;
    }
}

/* Reads what the decision needs from @text, which is not kept. */
void
sb_reply_message_read (SbReplyRoom *room, Message *m, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *lowered = g_utf8_strdown (valid, -1);
  m->length = (gsize) g_utf8_strlen (valid, -1);
  m->question = strchr (valid, '?') != NULL;
  m->command = valid[0] == '!' && g_ascii_isalpha (valid[1]);
  m->bot = strstr (m->key, "bot") != NULL;
  read_targets (room, m, lowered);
  read_words (m, lowered);
}

void
sb_reply_message_clear (Message *m)
{
  for (guint i = 0; i < m->n_targets; i++)
    g_free (m->targets[i]);
  m->n_targets = 0;
}
