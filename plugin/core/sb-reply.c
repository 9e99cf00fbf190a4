/* sb-reply.c: deciding which earlier line a group-chat message answers.
 *
 * Each message is a ranking problem, as in Kummerfeld et al., "A Large-Scale
 * Corpus for Conversation Disentanglement" (ACL 2019): its options are the
 * last SB_REPLY_WINDOW lines and itself (a new thread); each option gets the
 * sum of the weights of its active binary features, and the best one wins.
 * The features are what a reader looks at: who addresses whom (with the nicks
 * the room knows), who is still waiting for the speaker, the speaker's own last
 * line, distance in lines and in time, shared words (hashed), and for the
 * new-thread option: a greeting, a question, how long the speaker was silent,
 * a recent join, the room's pace.  Conjunctions of the strongest ones are
 * features of their own.
 *
 * The weight table (sb-reply-features.c) is learned, not tuned by hand: a
 * log-linear ranker (softmax over a message's options, averaged stochastic
 * gradient) trained on the corpus' train files by tests/bench/train-reply.c,
 * which prints the table; the epoch is chosen and a temperature fitted on the
 * dev files, so that `confidence` (the softmax share of the chosen option) is
 * a calibrated probability.
 *
 * This file is the room: its members, its window of lines, and the API of
 * sb-reply.h.  A message's text is read in sb-reply-message.c; its options'
 * features, the weights and the choice are in sb-reply-features.c.
 *
 * Nothing here keeps text: see sb-reply.h for what a room remembers.
 */
#include "sb-reply-private.h"

#include <string.h>

/* ---- members ------------------------------------------------------------- */

static char *
nick_key (const char *nick)
{
  g_autofree char *valid = g_utf8_make_valid (nick, -1);
  return g_utf8_strdown (valid, -1);
}

static void
member_free (gpointer data)
{
  Member *member = data;
  g_free (member->nick);
  g_free (member);
}

/* Makes room for one more member: forgets the one seen least recently. */
static void
forget_oldest_member (SbReplyRoom *room)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest = NULL;
  gint64 oldest_seen = G_MAXINT64;
  g_hash_table_iter_init (&iter, room->members);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((Member *) value)->last_seen < oldest_seen)
      {
        oldest_seen = ((Member *) value)->last_seen;
        oldest = key;
      }
  if (oldest != NULL)
    g_hash_table_remove (room->members, oldest);
}

/* The member @nick, added when new; seen at @time. */
static Member *
member_touch (SbReplyRoom *room, const char *nick, gint64 time)
{
  g_autofree char *key = nick_key (nick);
  Member *member = g_hash_table_lookup (room->members, key);
  if (member == NULL)
    {
      if (g_hash_table_size (room->members) >= SB_REPLY_MAX_MEMBERS)
        forget_oldest_member (room);
      member = g_new0 (Member, 1);
      member->nick = g_strdup (nick);
      member->last_seq = -1;
      member->joined_seq = -1;
      member->last_seen = time;
      g_hash_table_insert (room->members, g_steal_pointer (&key), member);
    }
  member->last_seen = MAX (member->last_seen, time);
  return member;
}

/* ---- the window ----------------------------------------------------------- */

static void
entry_clear (Entry *e)
{
  g_clear_pointer (&e->nick, g_free);
  g_clear_pointer (&e->key, g_free);
  g_clear_pointer (&e->parent_key, g_free);
  for (guint i = 0; i < e->n_targets; i++)
    g_clear_pointer (&e->targets[i], g_free);
  memset (e, 0, sizeof *e);
}

/* The next line's slot, the oldest line's forgotten. */
static Entry *
push_entry (SbReplyRoom *room, gint64 time)
{
  Entry *e = sb_reply_entry_at (room, room->n_lines);
  entry_clear (e);
  e->seq = room->n_lines++;
  e->time = time;
  e->parent = e->seq;
  return e;
}

static gint64
push_system (SbReplyRoom *room, gint64 time)
{
  Entry *e = push_entry (room, time);
  e->system = TRUE;
  return e->seq;
}

/* Whom @m's speaker was talking to: the speaker of the line their last
 * message answered, else the first nick it addressed; NULL when that message
 * is out of the window or started a thread unaddressed. */
static const char *
speaker_partner (SbReplyRoom *room, const Message *m)
{
  if (m->speaker == NULL || m->speaker->last_seq < 0
      || m->seq - m->speaker->last_seq > SB_REPLY_WINDOW)
    return NULL;
  const Entry *last = sb_reply_entry_at (room, m->speaker->last_seq);
  if (last->parent_key != NULL && !g_str_equal (last->parent_key, m->key))
    return last->parent_key;
  return last->n_targets > 0 ? last->targets[0] : NULL;
}

/* ---- the room ---------------------------------------------------------------- */

SbReplyRoom *
sb_reply_room_new (void)
{
  SbReplyRoom *room = g_new0 (SbReplyRoom, 1);
  room->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, member_free);
  room->weights = sb_reply_default_weights ();
  return room;
}

void
sb_reply_room_free (SbReplyRoom *room)
{
  if (room == NULL)
    return;
  for (guint i = 0; i < SB_REPLY_WINDOW; i++)
    entry_clear (&room->window[i]);
  g_clear_pointer (&room->members, g_hash_table_unref);
  g_free (room->last_parent_nick);
  g_free (room);
}

void
sb_reply_room_set_weights (SbReplyRoom *room, const float *weights)
{
  g_return_if_fail (room != NULL);
  room->weights = weights != NULL ? weights : sb_reply_default_weights ();
}

void
sb_reply_room_set_observer (SbReplyRoom *room, SbReplyObserver observer, gpointer user_data)
{
  g_return_if_fail (room != NULL);
  room->observer = observer;
  room->observer_data = user_data;
}

gint64
sb_reply_room_get_n_lines (SbReplyRoom *room)
{
  g_return_val_if_fail (room != NULL, 0);
  return room->n_lines;
}

void
sb_reply_room_add_member (SbReplyRoom *room, gint64 time, const char *nick)
{
  g_return_if_fail (room != NULL);
  g_return_if_fail (nick != NULL && *nick != '\0');
  member_touch (room, nick, time);
}

gint64
sb_reply_room_member_joined (SbReplyRoom *room, gint64 time, const char *nick)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (nick != NULL && *nick != '\0', -1);
  Member *member = member_touch (room, nick, time);
  gint64 seq = push_system (room, time);
  member->joined_seq = seq;
  return seq;
}

gint64
sb_reply_room_member_left (SbReplyRoom *room, gint64 time, const char *nick)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (nick != NULL && *nick != '\0', -1);
  member_touch (room, nick, time);
  return push_system (room, time);
}

gint64
sb_reply_room_add_system (SbReplyRoom *room, gint64 time)
{
  g_return_val_if_fail (room != NULL, -1);
  return push_system (room, time);
}

/* Replaces @old with a copy of @new in *@slot when it holds @old. */
static void
rename_key (char **slot, const char *old, const char *new)
{
  if (*slot != NULL && g_str_equal (*slot, old))
    {
      g_free (*slot);
      *slot = g_strdup (new);
    }
}

gint64
sb_reply_room_nick_changed (SbReplyRoom *room, gint64 time, const char *old_nick,
                            const char *new_nick)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (old_nick != NULL && *old_nick != '\0', -1);
  g_return_val_if_fail (new_nick != NULL && *new_nick != '\0', -1);
  g_autofree char *old_key = nick_key (old_nick);
  g_autofree char *new_key = nick_key (new_nick);
  if (!g_str_equal (old_key, new_key))
    {
      Member *old = member_touch (room, old_nick, time);
      Member moved = *old;
      moved.nick = g_strdup (new_nick);
      g_hash_table_remove (room->members, old_key);
      Member *member = member_touch (room, new_nick, time);
      g_free (member->nick);
      *member = moved;
      member->last_seen = time;
      for (guint i = 0; i < SB_REPLY_WINDOW; i++)
        {
          Entry *e = &room->window[i];
          if (e->key != NULL && g_str_equal (e->key, old_key))
            {
              g_free (e->nick);
              e->nick = g_strdup (new_nick);
            }
          rename_key (&e->key, old_key, new_key);
          rename_key (&e->parent_key, old_key, new_key);
          for (guint j = 0; j < e->n_targets; j++)
            rename_key (&e->targets[j], old_key, new_key);
        }
    }
  return push_system (room, time);
}

GStrv
sb_reply_room_read_targets (SbReplyRoom *room, const char *nick, const char *text)
{
  g_return_val_if_fail (room != NULL && nick != NULL && text != NULL, NULL);
  g_autofree char *key = nick_key (nick);
  Message m = { .seq = room->n_lines, .key = key };
  sb_reply_message_read (room, &m, text);
  GStrv targets = g_new0 (char *, m.n_targets + 1);
  for (guint i = 0; i < m.n_targets; i++)
    targets[i] = g_steal_pointer (&m.targets[i]);
  m.n_targets = 0;
  return targets;
}

guint
sb_reply_room_get_n_members (SbReplyRoom *room)
{
  g_return_val_if_fail (room != NULL, 0);
  return g_hash_table_size (room->members);
}

gint64
sb_reply_room_add_message (SbReplyRoom *room, gint64 time, const char *nick, const char *text,
                           SbReplyLink *out)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (nick != NULL && *nick != '\0', -1);
  g_return_val_if_fail (text != NULL, -1);

  g_autofree char *key = nick_key (nick);
  Message m = { .seq = room->n_lines, .time = time, .key = key };
  m.speaker = g_hash_table_lookup (room->members, key);
  m.partner = speaker_partner (room, &m);
  sb_reply_message_read (room, &m, text);
  double confidence = 1.0;
  guint best = sb_reply_choose_parent (room, &m, &confidence);
  gint64 parent = room->candidates[best].seq;

  g_clear_pointer (&room->last_parent_nick, g_free);
  char *parent_key = NULL;
  if (parent != m.seq)
    {
      Entry *p = sb_reply_entry_at (room, parent);
      p->n_children++;
      room->last_parent_nick = g_strdup (p->nick);
      parent_key = g_strdup (p->key);
    }

  Entry *e = push_entry (room, time);
  e->nick = g_strdup (nick);
  e->key = g_steal_pointer (&key);
  e->parent = parent;
  e->parent_key = parent_key;
  e->question = m.question;
  e->command = m.command;
  e->length_bin = sb_reply_length_bin (m.length);
  e->bot = m.bot;
  memcpy (e->words, m.words, sizeof m.words);
  e->n_words = m.n_words;
  for (guint i = 0; i < m.n_targets; i++)
    {
      member_touch (room, m.targets[i], time);
      e->targets[i] = g_steal_pointer (&m.targets[i]);
    }
  e->n_targets = m.n_targets;
  m.n_targets = 0;
  sb_reply_message_clear (&m);

  Member *speaker = member_touch (room, nick, time);
  speaker->last_seq = e->seq;
  speaker->last_time = time;

  if (out != NULL)
    *out = (SbReplyLink){
      .seq = e->seq,
      .parent = parent,
      .parent_nick = room->last_parent_nick,
      .confidence = confidence,
      .confident = confidence >= SB_REPLY_CONFIDENT,
    };
  return e->seq;
}
