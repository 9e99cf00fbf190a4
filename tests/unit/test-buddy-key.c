/* Buddy keys and the text digest: the identity of a history and of a message. */
#include <smileback/smileback.h>

static void
test_key_strips_resource (void)
{
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "alice@localhost/Home", "bob@localhost");
  g_assert_nonnull (key);
  g_assert_cmpstr (key->account, ==, "alice@localhost");
  g_autofree char *text = sb_buddy_key_to_string (key);
  g_assert_cmpstr (text, ==, "prpl-jabber/alice@localhost/bob@localhost");
}

typedef struct
{
  const char *protocol, *account, *buddy;
} BadKey;

static const BadKey bad_keys[] = {
  { NULL, "a", "b" }, { "p", NULL, "b" }, { "p", "a", NULL }, { "", "a", "b" },
  { "p", "/res", "b" }, { "p", "a", "" }, { "p", "a", "\xff\xfe" },
};

static void
test_key_rejects_bad (gconstpointer data)
{
  const BadKey *bad = data;
  g_assert_null (sb_buddy_key_new (bad->protocol, bad->account, bad->buddy));
}

static void
test_key_hash_equal (void)
{
  g_autoptr (SbBuddyKey) a = sb_buddy_key_new ("p", "acct/x", "b");
  g_autoptr (SbBuddyKey) b = sb_buddy_key_new ("p", "acct/y", "b");
  g_autoptr (SbBuddyKey) c = sb_buddy_key_new ("p", "acct", "c");
  g_assert_true (sb_buddy_key_equal (a, b));
  g_assert_cmpuint (sb_buddy_key_hash (a), ==, sb_buddy_key_hash (b));
  g_assert_false (sb_buddy_key_equal (a, c));
}

typedef struct
{
  const char *text;
  const char *normal;
} NormalCase;

static const NormalCase normal_cases[] = {
  { "Hello", "hello" },
  { "<b>Hello</b>   <i>World</i>", "hello world" },
  { "a &lt; b &amp;&amp; c&gt;d", "a < b && c>d" },
  { "line<br>next<br/>third", "line next third" },
  { "  \t spaced \r\n out  ", "spaced out" },
  { "&#65;&#x42;C", "abc" },
  { "&bogus; & &#0; &#xZZ;", "&bogus; & &#0; &#xzz;" },
  { "<a href='http://x'>link</a>", "link" },
  { "unclosed <b", "unclosed <b" },
  { "", "" },
  { "<br>", "" },
  /* long enough for eight bytes at a time: spaces at each end of a block, runs
   * of them, letters either side of 'A'..'Z' */
  { "Hello World, HOW are you doing today?", "hello world, how are you doing today?" },
  { "  leading Spaces then  two   three\t\ttabs ", "leading spaces then two three tabs" },
  { " a b c d e f g h i j k l m n o p q ", "a b c d e f g h i j k l m n o p q" },
  { "1234567 1234567 12345678 x", "1234567 1234567 12345678 x" },
  { "AZ@[`{~\x7f\x01 az@[`{~\x7f\x01 end", "az@[`{~\x7f\x01 az@[`{~\x7f\x01 end" },
  { "wordsin<b>BOLD</b>words &amp; more &lt;3 words&nbsp;x", "wordsin bold words & more <3 words x" },
  { "Caf\xC3\x89 ou CAF\xC3\xA9 ou caf\xC3\xA9\xE2\x80\x83" "et", "caf\xC3\xA9 ou caf\xC3\xA9 ou caf\xC3\xA9 et" },
};

static void
test_normalize (gconstpointer data)
{
  const NormalCase *c = data;
  g_autofree char *normal = sb_text_normalize (c->text);
  g_assert_cmpstr (normal, ==, c->normal);
}

static void
test_normalize_invalid_utf8 (void)
{
  g_autofree char *normal = sb_text_normalize ("caf\xe9 ok");
  g_assert_true (g_utf8_validate (normal, -1, NULL));
}

/* What the normalizer does to text without entities, one byte at a time:
 * tags and white space separate words, ASCII is lower-cased. */
static char *
reference_normalize (const char *s)
{
  GString *out = g_string_new (NULL);
  gboolean pending = FALSE;
  for (const char *p = s; *p != '\0'; p++)
    {
      const char *close = *p == '<' ? strchr (p, '>') : NULL;
      if (close != NULL || *p == ' ' || (*p >= '\t' && *p <= '\r'))
        {
          pending = out->len > 0;
          p = close != NULL ? close : p;
          continue;
        }
      if (pending)
        g_string_append_c (out, ' ');
      pending = FALSE;
      g_string_append_c (out, g_ascii_tolower (*p));
    }
  return g_string_free (out, FALSE);
}

/* Random ASCII texts of words, spaces, tags and controls normalize as the
 * byte-at-a-time reference says, whatever falls at an eight-byte boundary. */
static void
test_normalize_random (void)
{
  static const char alphabet[] = "aQz@[`{~0  \t\n<>\x7f\x01/";
  for (int round = 0; round < 5000; round++)
    {
      char text[80];
      int len = g_test_rand_int_range (0, sizeof text);
      for (int i = 0; i < len; i++)
        text[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      text[len] = '\0';
      g_autofree char *expected = reference_normalize (text);
      g_autofree char *normal = sb_text_normalize (text);
      g_assert_cmpstr (normal, ==, expected);
    }
}

static void
test_digest (void)
{
  const guint8 key[] = "0123456789abcdef0123456789abcdef";
  const guint8 other[] = "fedcba9876543210fedcba9876543210";
  guint64 html = sb_text_digest (key, 32, "<span style='color: red'>See you&nbsp;soon</span>");
  guint64 plain = sb_text_digest (key, 32, "see you soon");
  g_assert_cmpuint (html, !=, 0);
  g_assert_cmpuint (html, ==, plain);
  g_assert_cmpuint (sb_text_digest (other, 32, "see you soon"), !=, plain);
  g_assert_cmpuint (sb_text_digest (key, 32, "see you later"), !=, plain);
  g_assert_cmpuint (sb_text_digest (key, 32, "<br>"), ==, 0);
}

/* The SipHash paper's vectors: key 00..0f; the empty message and 00..0e. */
static void
test_siphash_vectors (void)
{
  guint8 key[16], data[15];
  for (int i = 0; i < 16; i++)
    key[i] = (guint8) i;
  for (int i = 0; i < 15; i++)
    data[i] = (guint8) i;
  g_assert_cmphex (sb_siphash24 (key, data, 0), ==, G_GUINT64_CONSTANT (0x726fdb47dd0e0e31));
  g_assert_cmphex (sb_siphash24 (key, data, 15), ==, G_GUINT64_CONSTANT (0xa129ca6149be45e5));
  g_assert_cmphex (sb_siphash24 (key, data, 8), ==, G_GUINT64_CONSTANT (0x93f5f5799a932462));
}

static void
test_size_bucket (void)
{
  g_assert_cmpuint (sb_size_bucket (0), ==, 0);
  g_assert_cmpuint (sb_size_bucket (16), ==, 1);
  g_assert_cmpuint (sb_size_bucket (17), ==, 2);
  g_assert_cmpuint (sb_size_bucket (256), ==, 3);
  g_assert_cmpuint (sb_size_bucket (100000), ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/buddy-key/strips-resource", test_key_strips_resource);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_keys); i++)
    {
      g_autofree char *path = g_strdup_printf ("/buddy-key/rejects-bad/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &bad_keys[i], test_key_rejects_bad);
    }
  g_test_add_func ("/buddy-key/hash-equal", test_key_hash_equal);
  for (gsize i = 0; i < G_N_ELEMENTS (normal_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/text/normalize/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &normal_cases[i], test_normalize);
    }
  g_test_add_func ("/text/normalize-invalid-utf8", test_normalize_invalid_utf8);
  g_test_add_func ("/text/normalize-random", test_normalize_random);
  g_test_add_func ("/text/digest", test_digest);
  g_test_add_func ("/text/size-bucket", test_size_bucket);
  g_test_add_func ("/text/siphash-vectors", test_siphash_vectors);
  return g_test_run ();
}
