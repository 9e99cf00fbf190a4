/* sb-cli-blist.c: aliases, groups and keep-in-touch settings from libpurple's
 * buddy list file (blist.xml in the profile folder), read with GMarkup:
 *
 *   <group name='Friends'><setting name='...' type='int'>30</setting>
 *     <contact alias='Bob B.'>
 *       <buddy account='me@example.org/Home' proto='prpl-jabber'>
 *         <name>bob@example.org</name><alias>Bobby</alias>
 *         <setting name='smileback-keep-in-touch-days' type='int'>14</setting>
 *       </buddy>
 *     </contact>
 *   </group>
 *
 * As in Pidgin, a contact's alias wins over its buddy's, and a keep-in-touch
 * setting is inherited buddy, then contact, then group.  Names are compared
 * case-folded: the history keeps them normalized.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-hint.h>
#include <string.h>

struct _SbCliBlist
{
  GHashTable *entries; /* folded "protocol\naccount\nbuddy" -> SbCliBlistEntry */
};

/* A buddy read, waiting for its contact's and group's settings. */
typedef struct
{
  char *key;
  char *alias;
  int keep_days;
} Pending;

typedef struct
{
  SbCliBlist *blist;
  GString *text;        /* the current element's text */
  char *proto, *account;
  char *name, *alias;   /* the current buddy's */
  int buddy_keep, contact_keep, group_keep;
  char *contact_alias, *group;
  char *setting;        /* the name of the setting being read */
  gboolean in_buddy, in_contact;
  GPtrArray *contact_buddies, *group_buddies; /* Pending */
} Parser;

static void
pending_free (Pending *pending)
{
  if (pending == NULL)
    return;
  g_free (pending->key);
  g_free (pending->alias);
  g_free (pending);
}

static void
entry_free (SbCliBlistEntry *entry)
{
  g_free (entry->alias);
  g_free (entry->group);
  g_free (entry);
}

/* The folded lookup key of a buddy, NULL when it is not a valid key. */
static char *
fold_key (const char *protocol, const char *account, const char *buddy)
{
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new (protocol, account, buddy);
  if (key == NULL)
    return NULL;
  g_autofree char *joined = g_strjoin ("\n", key->protocol, key->account, key->buddy, NULL);
  return g_utf8_casefold (joined, -1);
}

static const char *
attribute (const char **names, const char **values, const char *wanted)
{
  for (int i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], wanted))
      return values[i];
  return NULL;
}

static void
start_element (GMarkupParseContext *context, const char *element, const char **names,
               const char **values, gpointer user_data, GError **error)
{
  Parser *p = user_data;
  g_string_truncate (p->text, 0);
  if (g_str_equal (element, "group"))
    {
      g_free (p->group);
      p->group = g_strdup (attribute (names, values, "name"));
      p->group_keep = 0;
    }
  else if (g_str_equal (element, "contact"))
    {
      p->in_contact = TRUE;
      g_free (p->contact_alias);
      p->contact_alias = g_strdup (attribute (names, values, "alias"));
      p->contact_keep = 0;
    }
  else if (g_str_equal (element, "buddy"))
    {
      p->in_buddy = TRUE;
      g_free (p->proto);
      g_free (p->account);
      p->proto = g_strdup (attribute (names, values, "proto"));
      p->account = g_strdup (attribute (names, values, "account"));
      g_clear_pointer (&p->name, g_free);
      g_clear_pointer (&p->alias, g_free);
      p->buddy_keep = 0;
    }
  else if (g_str_equal (element, "setting"))
    {
      g_free (p->setting);
      p->setting = g_strdup (attribute (names, values, "name"));
    }
}

/* A keep-in-touch setting applies to the innermost node open. */
static void
end_setting (Parser *p)
{
  if (g_strcmp0 (p->setting, SB_NODE_KEEP_IN_TOUCH_DAYS) != 0)
    return;
  int days = (int) g_ascii_strtoll (p->text->str, NULL, 10);
  if (p->in_buddy)
    p->buddy_keep = days;
  else if (p->in_contact)
    p->contact_keep = days;
  else
    p->group_keep = days;
}

static void
end_buddy (Parser *p)
{
  p->in_buddy = FALSE;
  char *key = fold_key (p->proto, p->account, p->name);
  if (key == NULL)
    return;
  Pending *pending = g_new0 (Pending, 1);
  pending->key = key;
  pending->alias = g_strdup (p->alias);
  pending->keep_days = p->buddy_keep;
  g_ptr_array_add (p->contact_buddies, pending);
}

static void
end_contact (Parser *p)
{
  p->in_contact = FALSE;
  for (guint i = 0; i < p->contact_buddies->len; i++)
    {
      Pending *pending = g_ptr_array_index (p->contact_buddies, i);
      if (p->contact_alias != NULL && *p->contact_alias != '\0')
        {
          g_free (pending->alias);
          pending->alias = g_strdup (p->contact_alias);
        }
      if (pending->keep_days == 0)
        pending->keep_days = p->contact_keep;
      g_ptr_array_add (p->group_buddies, g_steal_pointer (&p->contact_buddies->pdata[i]));
    }
  g_ptr_array_set_size (p->contact_buddies, 0);
}

static void
end_group (Parser *p)
{
  for (guint i = 0; i < p->group_buddies->len; i++)
    {
      Pending *pending = g_ptr_array_index (p->group_buddies, i);
      SbCliBlistEntry *entry = g_new0 (SbCliBlistEntry, 1);
      entry->alias = pending->alias != NULL && *pending->alias != '\0' ? g_strdup (pending->alias)
                                                                      : NULL;
      entry->group = g_strdup (p->group);
      entry->keep_in_touch_days = pending->keep_days != 0 ? pending->keep_days : p->group_keep;
      g_hash_table_replace (p->blist->entries, g_strdup (pending->key), entry);
    }
  g_ptr_array_set_size (p->group_buddies, 0);
}

static void
end_element (GMarkupParseContext *context, const char *element, gpointer user_data,
             GError **error)
{
  Parser *p = user_data;
  if (g_str_equal (element, "name") && p->in_buddy)
    {
      g_free (p->name);
      p->name = g_strdup (p->text->str);
    }
  else if (g_str_equal (element, "alias") && p->in_buddy)
    {
      g_free (p->alias);
      p->alias = g_strdup (p->text->str);
    }
  else if (g_str_equal (element, "setting"))
    end_setting (p);
  else if (g_str_equal (element, "buddy"))
    end_buddy (p);
  else if (g_str_equal (element, "contact"))
    end_contact (p);
  else if (g_str_equal (element, "group"))
    end_group (p);
  g_string_truncate (p->text, 0);
}

static void
text (GMarkupParseContext *context, const char *data, gsize len, gpointer user_data,
      GError **error)
{
  g_string_append_len (((Parser *) user_data)->text, data, (gssize) len);
}

static void
parser_clear (Parser *p)
{
  g_string_free (p->text, TRUE);
  g_free (p->proto);
  g_free (p->account);
  g_free (p->name);
  g_free (p->alias);
  g_free (p->contact_alias);
  g_free (p->group);
  g_free (p->setting);
  g_ptr_array_unref (p->contact_buddies);
  g_ptr_array_unref (p->group_buddies);
}

SbCliBlist *
sb_cli_blist_load (const char *db)
{
  SbCliBlist *blist = g_new0 (SbCliBlist, 1);
  blist->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) entry_free);
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *path = g_build_filename (dir, "blist.xml", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return blist;

  static const GMarkupParser callbacks = { start_element, end_element, text, NULL, NULL };
  Parser p = { .blist = blist, .text = g_string_new (NULL),
               .contact_buddies = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free),
               .group_buddies = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free) };
  g_autoptr (GMarkupParseContext) context = g_markup_parse_context_new (&callbacks, 0, &p, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_markup_parse_context_parse (context, data, (gssize) len, &error)
      || !g_markup_parse_context_end_parse (context, &error))
    /* TRANSLATORS: %s is a file, then why it could not be read; the command goes on. */
    sb_cli_error (_("cannot read the buddy list %s: %s"), path, error->message);
  parser_clear (&p);
  return blist;
}

const SbCliBlistEntry *
sb_cli_blist_lookup (SbCliBlist *blist, const SbBuddyKey *key)
{
  g_autofree char *folded = fold_key (key->protocol, key->account, key->buddy);
  return folded != NULL ? g_hash_table_lookup (blist->entries, folded) : NULL;
}

void
sb_cli_blist_free (SbCliBlist *blist)
{
  if (blist == NULL)
    return;
  g_hash_table_unref (blist->entries);
  g_free (blist);
}
