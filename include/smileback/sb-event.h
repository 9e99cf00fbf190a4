/* sb-event.h: the unit of history Smile Back records.
 *
 * An event is metadata about one line of a conversation: when, with whom, which
 * way, what kind.  Never the text: the text only ever passes through
 * sb_text_digest(), which keeps a keyed 64-bit hash used to recognise the same
 * message seen twice (live and again through log import) and automated texts.
 *
 * Pure: GLib only, no libpurple, no GTK.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which side wrote the line. */
typedef enum
{
  SB_DIRECTION_OUT = 0, /* the user */
  SB_DIRECTION_IN = 1,  /* the buddy */
} SbDirection;

/* What the line was.  Only SB_EVENT_MESSAGE (and not flagged automated) is a
 * "counted message": it can initiate or answer an episode.  Everything else is
 * recorded but never starts or answers anything. */
typedef enum
{
  SB_EVENT_MESSAGE = 0,
  SB_EVENT_AUTO_REPLY = 1,
  SB_EVENT_SYSTEM = 2,
  SB_EVENT_CALL = 3,
  SB_EVENT_INVITE_SENT = 4,
  SB_EVENT_INVITE_RECEIVED = 5,
  SB_EVENT_KIND_LAST
} SbEventKind;

typedef enum
{
  SB_SOURCE_LIVE = 0,
  SB_SOURCE_IMPORT = 1,
} SbSource;

typedef enum
{
  SB_EVENT_FLAG_NONE = 0,
  SB_EVENT_FLAG_BACKLOG = 1 << 0,   /* offline delivery or history replay: never a live prompt */
  SB_EVENT_FLAG_AUTOMATED = 1 << 1, /* detected as automated: never initiates or answers */
} SbEventFlags;

/* One recorded line.  Plain value type; copy it freely. */
typedef struct
{
  gint64 time;         /* UTC seconds, the message's own time */
  SbDirection direction;
  SbEventKind kind;
  SbSource source;
  guint flags;         /* SbEventFlags */
  guint size_bucket;   /* sb_size_bucket() of the text length */
  guint64 digest;      /* sb_text_digest() of the text, 0 when unknown */
} SbEvent;

/* TRUE when @event may initiate or answer an episode. */
gboolean sb_event_is_counted (const SbEvent *event);

/* Coarse size of a text, so the store never learns lengths exactly:
 * 0 = empty, 1 = up to 16 chars, 2 = up to 64, 3 = up to 256, 4 = longer. */
guint sb_size_bucket (gsize text_length);

/* Keyed 64-bit digest of @text after sb_text_normalize(): the same visible text
 * gives the same digest whether it came as HTML from libpurple or from a log
 * file.  @key is the profile's secret (see sb_store_get_secret()); its first
 * 16 bytes key SipHash-2-4 (@key_len >= 16).  Never fails; returns 0 only for
 * text that normalizes to nothing. */
guint64 sb_text_digest (const guint8 *key, gsize key_len, const char *text);

/* sb_text_digest() without its copies, for many texts in a row: @len bytes of
 * @text, valid UTF-8 without NULs (nothing after them is read), as HTML when
 * @markup; else as plain text, which gives what sb_text_digest() gives for
 * g_markup_escape_text() of it (a TXT log line hashes like the HTML live
 * capture saw).  @scratch is working space, reused between calls. */
guint64 sb_text_digest_len (const guint8 *key, gsize key_len, const char *text, gsize len,
                            gboolean markup, GString *scratch);

/* SipHash-2-4 of @data under the 16-byte @key.  Never fails. */
guint64 sb_siphash24 (const guint8 key[16], const guint8 *data, gsize len);

/* The visible text of a message: HTML tags dropped, entities decoded, white
 * space folded to single spaces and trimmed, case folded.  Invalid UTF-8 is
 * replaced, never trusted.  Caller frees. */
char *sb_text_normalize (const char *text);

G_END_DECLS
