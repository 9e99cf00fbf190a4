/* test-finch-view: Finch's buddy list grouped by Smile Back's hints
 * (gnt-smileback's "Smile Back" view), read from Finch's screen.
 *
 * The test starts its own Prosody on loopback (alice and six friends, every
 * one a buddy of every other) and Finch as alice in a pseudo-terminal, with
 * core-smileback and gnt-smileback loaded.  Before Finch starts,
 * alice's history is seeded so that each friend has a different hint:
 *
 *   dan    owes you a reply   (alice wrote last, no answer yet)
 *   erin   you owe a reply    (erin wrote last, alice has not answered)
 *   bob    you always start
 *   carol  they always start
 *   frank  mutual
 *   gina   new                (one conversation)
 *
 * The test reads the screen through a model of the terminal
 * (sb-test-screen.h) and checks:
 *   1. choosing "Smile Back" in the buddy list's Grouping menu (F10), the
 *      six headings stand in their order, and each friend under its own;
 *   2. the tooltip of a selected buddy lists the core's figures;
 *   3. a live message from bob (this process is bob, a libpurple client)
 *      moves him from "You always start" to "You owe a reply";
 *   4. the "Who smiles back" window (the Plugins menu) lists every friend
 *      with the hint, sorted by the chosen column, and the due list;
 *   5. choosing "Default" in the Grouping menu gives Finch's own view back
 *      (the roster's group "Friends"), choosing "Smile Back" the headings;
 *   6. unloading gnt-smileback in Finch's plugin dialog gives Finch's own
 *      view back.
 * Menu items are chosen with the letters gnt shows beside them, read from
 * the screen.
 * Prompts are off (max_per_day 0) so no dialog covers the list.  Every wait
 * is for what the screen shows, bounded generously.
 */
#include <string.h>

#include <smileback/smileback.h>
#include <smileback/sb-hint-group.h>

#include "sb-e2e.h"
#include "sb-e2e-finch.h"
#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define CONNECT_MS 30000
#define SCREEN_MS 30000
/* How long a menu takes to draw, at most (the menu bar is on screen). */
#define MENU_MS 3000
#define ALICE "alice@" SB_TEST_PROSODY_DOMAIN

/* Keys as an xterm in keypad mode sends them (ncurses' kcud1, kcuu1). */
#define KEY_DOWN "\033OB"
#define KEY_UP "\033OA"
#define KEY_LEFT "\033OD"
#define KEY_F10 "\033[21~"

typedef struct
{
  const char *name;
  /* One letter per conversation, oldest first, two days apart, the last
   * one a day ago: Y alice starts and is answered, y alice starts and is
   * not; T the friend starts and is answered, t the friend starts and is
   * not. */
  const char *history;
  SbHintKind hint; /* the verdict that history gives */
} Friend;

static const Friend friends[] = {
  { "dan", "YTYTy", SB_HINT_OWES_YOU_A_REPLY },
  { "erin", "YTYTt", SB_HINT_YOU_OWE_A_REPLY },
  { "bob", "YYYYY", SB_HINT_YOU_ALWAYS_START },
  { "carol", "TTTTT", SB_HINT_THEY_ALWAYS_START },
  { "frank", "YTYTYT", SB_HINT_MUTUAL },
  { "gina", "Y", SB_HINT_NEW },
};

static void
seed_friend (SbLedger *ledger, const Friend *friend, gint64 now, guint64 *digest)
{
  g_autofree char *jid = g_strdup_printf ("%s@%s", friend->name, SB_TEST_PROSODY_DOMAIN);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", ALICE, jid);
  gsize n = strlen (friend->history);

  for (gsize i = 0; i < n; i++)
    {
      char c = friend->history[i];
      gboolean alice_starts = g_ascii_toupper (c) == 'Y';
      gint64 start = now - SB_DAY - (gint64) (n - 1 - i) * 2 * SB_DAY;
      SbEvent event = { .time = start,
                        .direction = alice_starts ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
                        .kind = SB_EVENT_MESSAGE,
                        .source = SB_SOURCE_IMPORT,
                        .size_bucket = 2,
                        .digest = ++*digest };
      g_autoptr (GError) error = NULL;

      g_assert_true (sb_ledger_add_event (ledger, key, &event, now, NULL, &error));
      g_assert_no_error (error);
      if (g_ascii_isupper (c))
        {
          /* The answer, ten minutes later. */
          event.time = start + 600;
          event.direction = alice_starts ? SB_DIRECTION_IN : SB_DIRECTION_OUT;
          event.digest = ++*digest;
          g_assert_true (sb_ledger_add_event (ledger, key, &event, now, NULL, &error));
          g_assert_no_error (error);
        }
    }
}

static void
seed_history (const char *profile_dir, gpointer data)
{
  g_autofree char *path = g_build_filename (profile_dir, "smileback.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint64 digest = 1000;
  SbParams params;

  sb_params_init (&params);
  ledger = sb_ledger_open (path, &params, now, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (friends); i++)
    seed_friend (ledger, &friends[i], now, &digest);
  g_assert_true (sb_ledger_flush (ledger, &error));
  g_assert_no_error (error);
}

/* The line of @finch's screen showing @text, failing the test (with the
 * screen) when it does not appear. */
static int
line_of (SbE2eFinch *finch, const char *text)
{
  int row = -1;

  if (!sb_e2e_finch_wait_text (finch, text, SCREEN_MS, &row, NULL))
    {
      g_test_message ("the screen never showed \"%s\"", text);
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }
  return row;
}

/* The heading a line stands under: the closest heading above @row; -1 when
 * none. */
static int
heading_above (SbE2eFinch *finch, int row)
{
  int best = -1, best_row = -1;

  for (int g = 0; g < SB_HINT_GROUP_LAST; g++)
    {
      int at = -1;

      if (sb_test_screen_find (finch->screen, sb_hint_group_title ((SbHintGroup) g), &at, NULL)
          && at < row && at > best_row)
        {
          best = g;
          best_row = at;
        }
    }
  return best;
}

/* The row where buddy @name stands: a line holding @name as a word of its
 * own, after its status glyph; -1 when none. */
static int
find_buddy (SbE2eFinch *finch, const char *name)
{
  gsize len = strlen (name);

  for (int row = 0;; row++)
    {
      g_autofree char *line = sb_test_screen_line (finch->screen, row);

      if (line == NULL)
        return -1;
      for (const char *at = strstr (line, name); at != NULL; at = strstr (at + 1, name))
        if (at > line && at[-1] == ' ' && (at[len] == '\0' || at[len] == ' ' || at[len] == '|'))
          return row;
    }
}

typedef struct
{
  SbE2eFinch *finch;
  const char *name;
  SbHintGroup group;
} UnderWait;

/* The first row of the screen showing both @a and @b; -1 when none. */
static int
row_with (SbE2eFinch *finch, const char *a, const char *b)
{
  for (int row = 0;; row++)
    {
      g_autofree char *line = sb_test_screen_line (finch->screen, row);

      if (line == NULL)
        return -1;
      if (strstr (line, a) != NULL && strstr (line, b) != NULL)
        return row;
    }
}

typedef struct
{
  SbE2eFinch *finch;
  const char *a, *b;
} LineWait;

static gboolean
has_line_with (gpointer data)
{
  LineWait *wait = data;

  return row_with (wait->finch, wait->a, wait->b) >= 0;
}

/* Waits until one line of the screen shows both @a and @b. */
static void
wait_line_with (SbE2eFinch *finch, const char *a, const char *b)
{
  LineWait wait = { finch, a, b };

  if (!sb_test_purple_wait (has_line_with, &wait, SCREEN_MS))
    {
      g_test_message ("no line shows both \"%s\" and \"%s\"", a, b);
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }
}

static gboolean
buddy_shown (gpointer data)
{
  UnderWait *wait = data;

  return find_buddy (wait->finch, wait->name) >= 0;
}

/* Waits until buddy @name is on the screen. */
static void
wait_buddy (SbE2eFinch *finch, const char *name)
{
  UnderWait wait = { finch, name, SB_HINT_GROUP_LAST };

  if (!sb_test_purple_wait (buddy_shown, &wait, SCREEN_MS))
    {
      g_test_message ("%s never appeared", name);
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }
}

static gboolean
stands_under (gpointer data)
{
  UnderWait *wait = data;
  int row = find_buddy (wait->finch, wait->name);

  return row >= 0 && heading_above (wait->finch, row) == (int) wait->group;
}

/* Waits until @name's line stands under the heading of @group. */
static void
assert_under (SbE2eFinch *finch, const char *name, SbHintGroup group)
{
  UnderWait wait = { finch, name, group };

  if (!sb_test_purple_wait (stands_under, &wait, SCREEN_MS))
    {
      int row = find_buddy (finch, name);
      int found = row >= 0 ? heading_above (finch, row) : -1;

      g_test_message ("%s stands under \"%s\", not \"%s\"", name,
                      found >= 0 ? sb_hint_group_title ((SbHintGroup) found) : "(nothing)",
                      sb_hint_group_title (group));
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }
}

/* Selects @item in the list whose first line (selected) is @first, both
 * read from the screen: one step down per line between them. */
static void
choose_in_list (SbE2eFinch *finch, const char *first, const char *item)
{
  int from = line_of (finch, first);
  int to = line_of (finch, item);

  g_assert_cmpint (to, >=, from);
  for (int i = from; i < to; i++)
    sb_e2e_finch_type (finch, KEY_DOWN);
}

/* Opens the buddy list's menu (F10) on the menu holding @item: gnt opens
 * the menu used last, so Left goes round the menu bar until @item shows. */
static void
open_menu_with (SbE2eFinch *finch, const char *item)
{
  sb_e2e_finch_type (finch, KEY_F10);
  line_of (finch, "Options    Accounts    Plugins");
  for (int tries = 0; tries < 4; tries++)
    {
      if (sb_e2e_finch_wait_text (finch, item, MENU_MS, NULL, NULL))
        return;
      sb_e2e_finch_type (finch, KEY_LEFT);
    }
  line_of (finch, item); /* fails with the screen */
}

/* A menu item being looked for, and the key gnt gave it once found. */
typedef struct
{
  SbE2eFinch *finch;
  const char *label;
  char key;
} MenuItemWait;

/* TRUE once a line shows the item's label followed by its key, "(k)": the
 * same words may stand elsewhere first (a tooltip, a window title), and a
 * menu may still be drawing. */
static gboolean
menu_item_shown (gpointer data)
{
  MenuItemWait *wait = data;
  g_autofree char *text = sb_test_screen_text (wait->finch->screen);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (int i = 0; lines[i] != NULL; i++)
    for (const char *at = strstr (lines[i], wait->label); at != NULL;
         at = strstr (at + 1, wait->label))
      {
        const char *open = at + strlen (wait->label);
        while (*open == ' ')
          open++;
        if (open[0] == '(' && open[1] != '\0' && open[2] == ')')
          {
            wait->key = open[1];
            return TRUE;
          }
      }
  return FALSE;
}

/* Types the key of the menu item @label, read from its "(k)" on the screen
 * (gnt gives each item of an open menu a letter). */
static void
press_menu_item (SbE2eFinch *finch, const char *label)
{
  MenuItemWait wait = { finch, label, 0 };

  if (!sb_test_purple_wait (menu_item_shown, &wait, SCREEN_MS))
    {
      g_test_message ("no menu item \"%s\" with its key on the screen", label);
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }
  sb_e2e_finch_type (finch, (char[]){ wait.key, '\0' });
}

/* The hint the window shows for friend @i: bob's is the one his message
 * gave. */
static const char *
window_hint (gsize i)
{
  return sb_hint_label (g_str_equal (friends[i].name, "bob") ? SB_HINT_YOU_OWE_A_REPLY
                                                              : friends[i].hint);
}

typedef struct
{
  SbE2eFinch *finch;
  const char *const *names; /* NULL-terminated, in the order expected */
} OrderWait;

static gboolean
table_in_order (gpointer data)
{
  OrderWait *wait = data;
  int previous = -1;

  for (const char *const *name = wait->names; *name != NULL; name++)
    {
      gsize i = 0;
      int row;

      while (!g_str_equal (friends[i].name, *name))
        i++;
      row = row_with (wait->finch, *name, window_hint (i));
      if (row <= previous)
        return FALSE;
      previous = row;
    }
  return TRUE;
}

/* Waits until the window's table shows the friends @names (each on the line
 * with its hint) in that order, top to bottom. */
static void
assert_table_order (SbE2eFinch *finch, const char *const *names)
{
  OrderWait wait = { finch, names };

  if (!sb_test_purple_wait (table_in_order, &wait, SCREEN_MS))
    {
      g_test_message ("the table is not in the order expected");
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }
}

/* Waits until no heading of the Smile Back view is on the screen. */
static void
assert_headings_gone (SbE2eFinch *finch)
{
  for (int g = 0; g < SB_HINT_GROUP_LAST; g++)
    if (!sb_e2e_finch_wait_gone (finch, sb_hint_group_title ((SbHintGroup) g), SCREEN_MS))
      {
        sb_e2e_finch_dump (finch);
        g_assert_not_reached ();
      }
}

static void
log_screen (SbE2eFinch *finch, const char *what)
{
  g_autofree char *text = sb_test_screen_text (finch->screen);

  g_test_message ("%s:\n%s", what, text);
}

static void
test_finch_view (void)
{
  static const SbTestProsodyUser users[] = {
    { "alice", "alice-pw" }, { "bob", "bob-pw" },     { "carol", "carol-pw" },
    { "dan", "dan-pw" },     { "erin", "erin-pw" },   { "frank", "frank-pw" },
    { "gina", "gina-pw" },
  };
  static const char *const plugins[] = { "plugin/purple/core-smileback.so",
                                         "plugin/finch/gnt-smileback.so", NULL };
  const SbE2eFinchOptions options = {
    .plugins = plugins,
    /* Offline buddies shown (the friends other than bob never sign in); a
     * list wide and tall enough. */
    .finch_prefs = "  <pref name='blist'>\n"
                   "   <pref name='showoffline' type='bool' value='1'/>\n"
                   "   <pref name='size'>\n"
                   "    <pref name='width' type='int' value='44'/>\n"
                   "    <pref name='height' type='int' value='30'/>\n"
                   "   </pref>\n"
                   "  </pref>\n",
    .smileback_prefs = "    <pref name='prompts'>\n"
                       "     <pref name='max_per_day' type='int' value='0'/>\n"
                       "    </pref>\n",
    .prepare = seed_history,
  };
  g_autoptr (SbTestProsody) server = NULL;
  g_autoptr (GError) error = NULL;
  const char *why = NULL;
  SbE2eFinch *finch;
  PurpleAccount *bob;
  int previous = -1;

  if (!sb_test_prosody_available ())
    {
      g_test_skip ("prosody is not installed");
      return;
    }
  if (!sb_e2e_finch_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  server = sb_test_prosody_start (users, G_N_ELEMENTS (users), TRUE, &error);
  g_assert_no_error (error);
  finch = sb_e2e_finch_start (sb_test_prosody_get_port (server), &options);

  /* 1. Finch's own view first (the roster's group), then the Smile Back
   * view chosen in the buddy list's menu: Options, Grouping. */
  line_of (finch, "Friends");
  wait_buddy (finch, "gina");
  log_screen (finch, "Finch's own view, at first");
  open_menu_with (finch, "Grouping");
  press_menu_item (finch, "Grouping");
  press_menu_item (finch, "Smile Back");

  /* The headings in their order, each friend under its own. */
  for (int g = 0; g < SB_HINT_GROUP_LAST; g++)
    {
      int row = line_of (finch, sb_hint_group_title ((SbHintGroup) g));

      g_assert_cmpint (row, >, previous);
      previous = row;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (friends); i++)
    assert_under (finch, friends[i].name, sb_hint_group_of (friends[i].hint));
  log_screen (finch, "the Smile Back view");

  /* 2. The tooltip of the first buddy, dan: his hint and the figures. */
  sb_e2e_finch_type (finch, KEY_DOWN);
  line_of (finch, "Smile Back: owes you a reply");
  line_of (finch, "Started by you: 3 of 5 conversations");
  line_of (finch, "Smiled back: 67% (2 of 3)");
  log_screen (finch, "dan's tooltip");

  /* 3. bob writes: a new conversation he started, not answered yet.  The
   * selection goes back to the first heading, whose tooltip is small. */
  sb_e2e_finch_type (finch, KEY_UP);
  line_of (finch, "1 buddy");
  bob = sb_test_purple_xmpp_account_new ("bob", SB_TEST_PROSODY_DOMAIN,
                                         sb_test_prosody_get_port (server), "bob-pw");
  g_assert_true (sb_test_purple_wait_connected (bob, CONNECT_MS));
  g_assert_true (sb_e2e_wait_online (bob, ALICE));
  sb_test_prpl_send (bob, ALICE, "hello alice, it is bob");
  assert_under (finch, "bob", SB_HINT_GROUP_YOU_OWE);
  log_screen (finch, "after bob wrote");

  /* 4. The window, from the Plugins menu. */
  open_menu_with (finch, "Smile Back for Finch");
  press_menu_item (finch, "Smile Back for Finch");
  press_menu_item (finch, "Who smiles back");
  line_of (finch, "Sort by:");
  line_of (finch, "Due to reach out");
  for (gsize i = 0; i < G_N_ELEMENTS (friends); i++)
    wait_line_with (finch, friends[i].name, window_hint (i));
  wait_line_with (finch, "erin", sb_prompt_due_reason (SB_PROMPT_REPLY_NUDGE));
  /* Sorted by the last conversation: bob, who just wrote, first. */
  assert_table_order (finch, (const char *const[]){ "bob", "carol", NULL });
  log_screen (finch, "the Who smiles back window");
  /* "Sort by" (focused first): its list, up to its first choice, the
   * buddy's name. */
  sb_e2e_finch_type (finch, KEY_DOWN);
  for (int i = 0; i < 16; i++)
    sb_e2e_finch_type (finch, KEY_UP);
  sb_e2e_finch_type (finch, "\r");
  assert_table_order (finch,
                      (const char *const[]){ "bob", "carol", "dan", "erin", "frank", "gina", NULL });
  log_screen (finch, "the window sorted by buddy");
  sb_e2e_finch_type (finch, "\033c");
  if (!sb_e2e_finch_wait_gone (finch, "Sort by:", SCREEN_MS))
    {
      sb_e2e_finch_dump (finch);
      g_assert_not_reached ();
    }

  /* 5. Choosing Finch's own grouping gives its view back; choosing Smile
   * Back again brings the headings back. */
  open_menu_with (finch, "Grouping");
  press_menu_item (finch, "Grouping");
  press_menu_item (finch, "Default");
  line_of (finch, "Friends");
  assert_headings_gone (finch);
  open_menu_with (finch, "Grouping");
  press_menu_item (finch, "Grouping");
  press_menu_item (finch, "Smile Back");
  assert_under (finch, "bob", SB_HINT_GROUP_YOU_OWE);
  assert_under (finch, "gina", SB_HINT_GROUP_NEW);

  /* 6. Finch's plugin dialog (Alt-a lists Finch's actions), where
   * gnt-smileback is unloaded: Finch's own view comes back. */
  sb_e2e_finch_type (finch, "\033a");
  choose_in_list (finch, "Accounts", "Plugins");
  sb_e2e_finch_type (finch, "\r");
  choose_in_list (finch, "[ ] Autoaccept", "[X] Smile Back for Finch");
  line_of (finch, "Adds a \"Smile Back\" view");
  sb_e2e_finch_type (finch, " ");
  line_of (finch, "[ ] Smile Back for Finch");
  line_of (finch, "[X] Smile Back ");
  log_screen (finch, "gnt-smileback unloaded, core-smileback still loaded");
  sb_e2e_finch_type (finch, "\033c");
  line_of (finch, "Friends");
  assert_headings_gone (finch);
  log_screen (finch, "Finch's own view");

  sb_e2e_finch_stop (finch);
  purple_accounts_delete (bob);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  g_test_add_func ("/e2e/finch/view", test_finch_view);
  status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}
