/* test-hint-group.c: the groups of a buddy list sorted by hint
 * (sb-hint-group.c): each hint's group, the groups' order and titles.
 */
#include <string.h>

#include "smileback/sb-hint-group.h"

typedef struct
{
  const char *path;
  SbHintKind kind;
  SbHintGroup expected;
} GroupCase;

static const GroupCase group_cases[] = {
  { "/hint-group/of/owes-you-a-reply", SB_HINT_OWES_YOU_A_REPLY, SB_HINT_GROUP_OWES_YOU },
  { "/hint-group/of/you-owe-a-reply", SB_HINT_YOU_OWE_A_REPLY, SB_HINT_GROUP_YOU_OWE },
  { "/hint-group/of/you-always-start", SB_HINT_YOU_ALWAYS_START, SB_HINT_GROUP_YOU_START },
  { "/hint-group/of/they-always-start", SB_HINT_THEY_ALWAYS_START, SB_HINT_GROUP_THEY_START },
  { "/hint-group/of/mutual", SB_HINT_MUTUAL, SB_HINT_GROUP_MUTUAL },
  { "/hint-group/of/new", SB_HINT_NEW, SB_HINT_GROUP_NEW },
  { "/hint-group/of/no-history-is-new", SB_HINT_NONE, SB_HINT_GROUP_NEW },
  { "/hint-group/of/out-of-range-is-new", SB_HINT_LAST, SB_HINT_GROUP_NEW },
};

static void
test_group_of (gconstpointer data)
{
  const GroupCase *c = data;

  g_assert_cmpint (sb_hint_group_of (c->kind), ==, c->expected);
}

/* The order a person reads, top to bottom. */
static void
test_titles_in_order (void)
{
  static const char *const expected[] = {
    "Owes you a reply", "You owe a reply", "You always start",
    "They always start", "Mutual", "New",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (expected) == SB_HINT_GROUP_LAST);
  for (int g = 0; g < SB_HINT_GROUP_LAST; g++)
    g_assert_cmpstr (sb_hint_group_title ((SbHintGroup) g), ==, expected[g]);
  g_assert_null (sb_hint_group_title (SB_HINT_GROUP_LAST));
}

/* Every verdict lands in a group, and every group but "New" holds exactly one
 * verdict: the group is the hint, said as a heading. */
static void
test_one_verdict_per_group (void)
{
  guint per_group[SB_HINT_GROUP_LAST] = { 0 };

  for (int k = SB_HINT_NEW; k < SB_HINT_LAST; k++)
    {
      SbHintGroup g = sb_hint_group_of ((SbHintKind) k);

      g_assert_cmpint (g, <, SB_HINT_GROUP_LAST);
      per_group[g]++;
      /* The heading reads as the hint beside the buddy, capitalized. */
      g_assert_cmpint (g_ascii_strcasecmp (sb_hint_group_title (g), sb_hint_label ((SbHintKind) k)),
                       ==, 0);
    }
  for (int g = 0; g < SB_HINT_GROUP_LAST; g++)
    g_assert_cmpuint (per_group[g], ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (group_cases); i++)
    g_test_add_data_func (group_cases[i].path, &group_cases[i], test_group_of);
  g_test_add_func ("/hint-group/titles-in-order", test_titles_in_order);
  g_test_add_func ("/hint-group/one-verdict-per-group", test_one_verdict_per_group);
  return g_test_run ();
}
