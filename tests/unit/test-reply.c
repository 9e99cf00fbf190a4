/* Reply attribution (sb-reply.h): one table row per rule a reader uses, each a
 * short plain log whose last line must answer a given line; the nicks a
 * message addresses; nick changes, system lines and bounded memory through the
 * API; and a floor on the graph F of the committed corpus dev files. */
#include <smileback/smileback.h>
#include "sb-reply-corpus.h"
#include "sb-reply-private.h"

#include <string.h>

typedef struct
{
  const char *path;
  const char *log;   /* a plain log, one line per row */
  gint64 expected;   /* the parent of its last line */
} ThreadCase;

static const ThreadCase thread_cases[] = {
  { "/reply/addressed-colon",
    "[10:00] <alice> how do I mount an iso image?\n"
    "[10:00] <bob> hello everyone\n"
    "[10:01] <carol> has anyone tried the new kernel yet?\n"
    "[10:01] <dave> alice: sudo mount -o loop file.iso /mnt\n",
    0 },
  { "/reply/addressed-comma",
    "[10:00] <alice> how do I mount an iso image?\n"
    "[10:00] <bob> hello everyone\n"
    "[10:01] <carol> has anyone tried the new kernel yet?\n"
    "[10:01] <dave> alice, sudo mount -o loop file.iso /mnt\n",
    0 },
  { "/reply/mention-mid-sentence",
    "[10:00] <alice> how do I mount an iso image?\n"
    "[10:00] <bob> hello everyone\n"
    "[10:01] <carol> has anyone tried the new kernel yet?\n"
    "[10:01] <dave> i think alice wants sudo mount -o loop file.iso /mnt\n",
    0 },
  { "/reply/whoever-addressed-me",
    "[10:00] <alice> how do I mount an iso image?\n"
    "[10:01] <bob> alice: sudo mount -o loop file.iso /mnt\n"
    "[10:01] <carol> does anyone here use xfce?\n"
    "[10:02] <dave> carol: yes, on my laptop\n"
    "[10:02] <alice> thanks, that worked\n",
    1 },
  { "/reply/own-continuation",
    "[10:00] <erin> carol: did the upgrade finish?\n"
    "[10:00] <carol> erin: yes, all fine\n"
    "[10:01] <alice> my sound card stopped working after the upgrade\n"
    "[10:01] <alice> it is an intel hda card, lspci still lists the sound card\n",
    2 },
  { "/reply/long-gap-new-thread",
    "[10:00] <alice> how do I mount an iso image?\n"
    "[10:01] <bob> alice: sudo mount -o loop file.iso /mnt\n"
    "[10:02] <alice> bob: thanks\n"
    "[14:30] <carol> hi, my wifi stopped working on my dell laptop, any ideas?\n",
    3 },
  { "/reply/join-is-system",
    "[10:00] <alice> how do I mount an iso image?\n"
    "=== bob [~bob@example.org] has joined #ubuntu\n",
    1 },
  { "/reply/part-is-system",
    "[10:00] <alice> how do I mount an iso image?\n"
    "=== bob [~bob@example.org] has quit [Quit: bye]\n",
    1 },
  { "/reply/action-is-system",
    "[10:00] <alice> how do I mount an iso image?\n"
    "* bob waves\n",
    1 },
  { "/reply/nick-change",
    "[10:00] <alice> how do I mount an iso image?\n"
    "[10:00] <bob> hello everyone\n"
    "=== alice is now known as alice_away\n"
    "[10:01] <carol> has anyone tried the new kernel yet?\n"
    "[10:01] <dave> alice_away: sudo mount -o loop file.iso /mnt\n",
    0 },
  { "/reply/first-line",
    "[10:00] <alice> good morning\n",
    0 },
};

static void
test_thread_case (gconstpointer data)
{
  const ThreadCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbChatLog) log = sb_chat_log_parse (c->log, strlen (c->log), &error);
  g_assert_no_error (error);
  g_autoptr (GArray) links = sb_chat_log_thread (log);
  g_assert_cmpuint (links->len, ==, log->lines->len);
  for (guint i = 0; i < links->len; i++)
    {
      const SbReplyLink *link = &g_array_index (links, SbReplyLink, i);
      g_assert_cmpint (link->seq, ==, i);
      g_assert_cmpint (link->parent, <=, i);
      g_assert_true (link->confidence > 0 && link->confidence <= 1);
    }
  const SbReplyLink *last = &g_array_index (links, SbReplyLink, links->len - 1);
  g_assert_cmpint (last->parent, ==, c->expected);
}

typedef struct
{
  const char *path;
  const char *members; /* space-separated nicks known before */
  const char *speaker;
  const char *text;
  const char *expected; /* space-separated lowercased nicks, "" for none */
} TargetCase;

static const TargetCase target_cases[] = {
  { "/reply/targets/colon", "alice bob", "carol", "alice: try this", "alice" },
  { "/reply/targets/comma", "alice bob", "carol", "Alice, try this", "alice" },
  { "/reply/targets/mid-sentence", "alice bob", "carol", "ask bob about it", "bob" },
  { "/reply/targets/punctuation", "alice bob", "carol", "thanks (bob)!", "bob" },
  { "/reply/targets/several", "alice bob", "carol", "alice: bob said so", "alice bob" },
  { "/reply/targets/unknown-nick", "alice bob", "carol", "zorro: try this", "" },
  { "/reply/targets/not-self", "alice bob", "alice", "alice: note to self", "" },
  { "/reply/targets/short-nick-leading", "al bob", "carol", "al: try this", "al" },
  { "/reply/targets/short-nick-mid", "al bob", "carol", "so al is here", "" },
  { "/reply/targets/common-word-mid", "help bob", "carol", "i need help with grub", "" },
  { "/reply/targets/common-word-leading", "help bob", "carol", "help: your grub is fine", "help" },
  { "/reply/targets/irc-nick", "[foo]_ bob", "carol", "[foo]_: yes", "[foo]_" },
};

static void
test_target_case (gconstpointer data)
{
  const TargetCase *c = data;
  g_autoptr (SbReplyRoom) room = sb_reply_room_new ();
  g_auto (GStrv) members = g_strsplit (c->members, " ", -1);
  for (char **m = members; *m != NULL; m++)
    sb_reply_room_add_member (room, 0, *m);
  g_auto (GStrv) targets = sb_reply_room_read_targets (room, c->speaker, c->text);
  g_autofree char *joined = g_strjoinv (" ", targets);
  g_assert_cmpstr (joined, ==, c->expected);
  g_assert_cmpint (sb_reply_room_get_n_lines (room), ==, 0);
}

/* Sequence numbers count every line; system lines link to themselves; the
 * parent's nick is the one it was said under, renamed by a nick change. */
static void
test_api (void)
{
  g_autoptr (SbReplyRoom) room = sb_reply_room_new ();
  SbReplyLink link;
  g_assert_cmpint (sb_reply_room_member_joined (room, 100, "alice"), ==, 0);
  g_assert_cmpint (sb_reply_room_add_message (room, 110, "alice", "how do I mount an iso?", &link),
                   ==, 1);
  g_assert_cmpint (link.parent, ==, 1);
  g_assert_null (link.parent_nick);
  g_assert_cmpint (sb_reply_room_nick_changed (room, 120, "alice", "Alice2"), ==, 2);
  g_assert_cmpint (sb_reply_room_add_message (room, 130, "bob", "Alice2: mount -o loop", &link),
                   ==, 3);
  g_assert_cmpint (link.parent, ==, 1);
  g_assert_cmpstr (link.parent_nick, ==, "Alice2");
  g_assert_cmpint (sb_reply_room_add_system (room, 140), ==, 4);
  g_assert_cmpint (sb_reply_room_member_left (room, 150, "bob"), ==, 5);
  g_assert_cmpint (sb_reply_room_get_n_lines (room), ==, 6);
  /* Bob left, but is still recognised when answered. */
  g_auto (GStrv) targets = sb_reply_room_read_targets (room, "Alice2", "bob: thanks");
  g_assert_cmpstr (targets[0], ==, "bob");
  /* Invalid UTF-8 and an empty text are read, not rejected. */
  g_assert_cmpint (sb_reply_room_add_message (room, 160, "carol", "caf\xc3 \xff", &link), ==, 6);
  g_assert_cmpint (sb_reply_room_add_message (room, 160, "carol", "", &link), ==, 7);
}

/* A long room with ever new nicks: links stay in the window and the member
 * table stays capped. */
static void
test_bounded_memory (void)
{
  g_autoptr (SbReplyRoom) room = sb_reply_room_new ();
  SbReplyLink link;
  for (int i = 0; i < 3 * SB_REPLY_MAX_MEMBERS; i++)
    {
      g_autofree char *nick = g_strdup_printf ("user%d", i);
      g_autofree char *text = g_strdup_printf ("user0: message number %d about iso mounting", i);
      if (i % 7 == 0)
        sb_reply_room_member_joined (room, i, nick);
      gint64 seq = sb_reply_room_add_message (room, i, nick, text, &link);
      g_assert_cmpint (link.parent, <=, seq);
      g_assert_cmpint (link.parent, >=, seq - SB_REPLY_WINDOW);
      g_assert_cmpuint (sb_reply_room_get_n_members (room), <=, SB_REPLY_MAX_MEMBERS);
    }
}

/* The committed dev files: a floor a little below what the scorer scores. */
#define DEV_GRAPH_F_FLOOR 69.0
#define DEV_WHOM_PRECISION_FLOOR 80.0

static void
test_corpus_dev (void)
{
  const char *root = g_getenv ("SMILEBACK_SOURCE_ROOT");
  g_assert_nonnull (root);
  g_autofree char *dir = g_build_filename (root, "tests", "data", "irc-disentanglement", "dev", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) files = sb_corpus_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 10);
  SbCorpusScore raw = { 0 }, baseline = { 0 };
  sb_corpus_run_model (files, NULL, 0, &raw, NULL);
  sb_corpus_run_baseline (files, &baseline);
  double p, r, f, bp, br, bf;
  sb_corpus_graph_prf (&raw, &p, &r, &f);
  sb_corpus_graph_prf (&baseline, &bp, &br, &bf);
  double whom = 100.0 * (double) raw.whom_correct / (double) MAX (raw.whom_predicted, 1);
  g_test_message ("dev graph F %.1f (baseline %.1f), who-answered-whom precision %.1f", f, bf,
                  whom);
  g_assert_cmpuint (raw.gold, ==, 2607);
  g_assert_cmpfloat (f, >=, DEV_GRAPH_F_FLOOR);
  g_assert_cmpfloat (f, >, bf + 30);
  g_assert_cmpfloat (whom, >=, DEV_WHOM_PRECISION_FLOOR);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (thread_cases); i++)
    g_test_add_data_func (thread_cases[i].path, &thread_cases[i], test_thread_case);
  for (gsize i = 0; i < G_N_ELEMENTS (target_cases); i++)
    g_test_add_data_func (target_cases[i].path, &target_cases[i], test_target_case);
  g_test_add_func ("/reply/api", test_api);
  g_test_add_func ("/reply/bounded-memory", test_bounded_memory);
  g_test_add_func ("/reply/corpus-dev", test_corpus_dev);
  return g_test_run ();
}
