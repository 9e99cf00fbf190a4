/* sb-log-stamp.c: stamps, file names, and the clock of a log file.
 *
 * The file name gives the local date, time and UTC offset the window opened
 * at; each undated line's time of day advances a running clock: the line is
 * at the earliest instant, not before the clock less ROLLOVER_S, whose local
 * time of day it shows (so a backward jump of more than ROLLOVER_S is the next
 * day, a smaller one an out-of-order server timestamp).  Local times become
 * UTC through the user's zone when it agrees with the file name's offset (a
 * file crossing a daylight-saving change stays right after it), else through
 * that fixed offset.  Dated stamps (offline messages, history) are taken as
 * written and do not move the clock.
 */
#include "sb-log-reader-private.h"

#define HALF_DAY_S (12 * 60 * 60)

/* ---- dates ------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
gint64
sb_log_days_from_civil (int y, int m, int d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gboolean
valid_date (int y, int m, int d)
{
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
    return FALSE;
  return d <= g_date_get_days_in_month ((GDateMonth) m, (GDateYear) y);
}

static gint64
floor_div (gint64 a, gint64 b)
{
  return a >= 0 ? a / b : (a - b + 1) / b;
}

/* ---- stamps ------------------------------------------------------------ */

static gboolean
word_start (const char *text, gsize i)
{
  return i == 0 || !g_ascii_isalpha (text[i - 1]);
}

/* Sets *@am / *@pm when the bytes at @i start a 12-hour marker; returns how
 * many bytes to skip (at least 1). */
static gsize
scan_marker (const char *text, gsize len, gsize i, gboolean *am, gboolean *pm)
{
  static const char *const pm_words[] = { "\xE5\x8D\x88\xE5\xBE\x8C" /* 午後 */,
                                          "\xE4\xB8\x8B\xE5\x8D\x88" /* 下午 */,
                                          "\xEC\x98\xA4\xED\x9B\x84" /* 오후 */ };
  static const char *const am_words[] = { "\xE5\x8D\x88\xE5\x89\x8D" /* 午前 */,
                                          "\xE4\xB8\x8A\xE5\x8D\x88" /* 上午 */,
                                          "\xEC\x98\xA4\xEC\xA0\x84" /* 오전 */ };
  char c = g_ascii_tolower (text[i]);
  if ((c == 'a' || c == 'p') && word_start (text, i) && i + 1 < len)
    {
      gsize j = i + 1;
      if (text[j] == '.')
        j++;
      if (j < len && g_ascii_tolower (text[j]) == 'm'
          && (j + 1 == len || !g_ascii_isalpha (text[j + 1])))
        {
          *(c == 'a' ? am : pm) = TRUE;
          return j + 1 - i;
        }
    }
  if ((unsigned char) text[i] >= 0x80 && i + 6 <= len)
    for (guint k = 0; k < G_N_ELEMENTS (pm_words); k++)
      {
        if (memcmp (text + i, pm_words[k], 6) == 0)
          {
            *pm = TRUE;
            return 6;
          }
        if (memcmp (text + i, am_words[k], 6) == 0)
          {
            *am = TRUE;
            return 6;
          }
      }
  return 1;
}

/* A stamp's digit groups and markers. */
typedef struct
{
  int g[6], glen[6], n;
  gboolean am, pm;
} StampGroups;

static gboolean
scan_groups (const char *text, gsize len, StampGroups *sg)
{
  sg->n = 0;
  sg->am = sg->pm = FALSE;
  for (gsize i = 0; i < len;)
    {
      if (!g_ascii_isdigit (text[i]))
        {
          /* separators (":", "/", " ") cannot start a marker */
          gboolean letter = g_ascii_isalpha (text[i]) || (guchar) text[i] >= 0x80;
          i += letter ? scan_marker (text, len, i, &sg->am, &sg->pm) : 1;
          continue;
        }
      int v = 0, l = 0;
      while (i < len && g_ascii_isdigit (text[i]))
        {
          if (++l > 4)
            return FALSE;
          v = v * 10 + (text[i++] - '0');
        }
      if (sg->n == 6)
        return FALSE;
      sg->g[sg->n] = v;
      sg->glen[sg->n++] = l;
    }
  return sg->n == 2 || sg->n == 3 || sg->n == 5 || sg->n == 6;
}

/* The time of day: the last two or three groups. */
static gboolean
groups_time (const StampGroups *sg, Stamp *st)
{
  int t0 = sg->n >= 5 ? 3 : 0;
  int h = sg->g[t0], m = sg->g[t0 + 1], s = (sg->n == 3 || sg->n == 6) ? sg->g[t0 + 2] : 0;
  st->hour = h;
  st->marker = sg->am || sg->pm;
  if (st->marker)
    {
      if (h < 1 || h > 12)
        return FALSE;
      if (sg->pm && h < 12)
        h += 12;
      else if (sg->am && h == 12)
        h = 0;
    }
  if (h > 23 || m > 59 || s > 60 || sg->glen[t0] > 2 || sg->glen[t0 + 1] != 2)
    return FALSE;
  st->tod = h * 3600 + m * 60 + MIN (s, 59);
  st->dated = sg->n >= 5;
  return TRUE;
}

typedef struct
{
  int y, m, d;
} YearMonthDay;

/* Which order?  A four-digit first group is a year; otherwise try the three
 * readings and keep the one nearest to @ref_day, preferring dates not after
 * it (dated stamps are for older messages).  FALSE when none is a date. */
static gboolean
groups_date (const StampGroups *sg, gint64 ref_day, YearMonthDay *out)
{
  const int *g = sg->g;
  YearMonthDay cand[3];
  int nc = 0;
  if (sg->glen[0] >= 3)
    cand[nc++] = (YearMonthDay){ g[0], g[1], g[2] };
  else
    {
      cand[nc++] = (YearMonthDay){ g[2], g[1], g[0] }; /* 27/04/17 */
      cand[nc++] = (YearMonthDay){ g[2], g[0], g[1] }; /* 05/07/2014 */
      if (sg->glen[2] <= 2)
        cand[nc++] = (YearMonthDay){ g[0], g[1], g[2] }; /* 13-02-01 */
    }
  gint64 best_cost = G_MAXINT64;
  for (int i = 0; i < nc; i++)
    {
      if (cand[i].y < 100)
        cand[i].y += cand[i].y < 70 ? 2000 : 1900;
      if (!valid_date (cand[i].y, cand[i].m, cand[i].d))
        continue;
      gint64 diff = ref_day - sb_log_days_from_civil (cand[i].y, cand[i].m, cand[i].d);
      gint64 cost = diff >= -1 ? diff + 1 : -diff * 8;
      if (cost < best_cost)
        {
          best_cost = cost;
          *out = cand[i];
        }
    }
  return best_cost != G_MAXINT64;
}

/* "HH:MM:SS" or "HH:MM:SS AM", what most logs write, read at once as
 * scan_groups() and groups_time() would read it; FALSE for any other shape. */
static gboolean
read_common_stamp (const char *t, gsize len, Stamp *st)
{
  gboolean marker = len == 11;
  if ((len != 8 && !marker) || t[2] != ':' || t[5] != ':')
    return FALSE;
  char ap = marker ? g_ascii_tolower (t[9]) : 0;
  if (marker && (t[8] != ' ' || (ap != 'a' && ap != 'p') || g_ascii_tolower (t[10]) != 'm'))
    return FALSE;
  int v[3];
  for (int k = 0; k < 3; k++)
    {
      if (!g_ascii_isdigit (t[3 * k]) || !g_ascii_isdigit (t[3 * k + 1]))
        return FALSE;
      v[k] = (t[3 * k] - '0') * 10 + (t[3 * k + 1] - '0');
    }
  int h = v[0];
  if (marker && (h < 1 || h > 12))
    return FALSE;
  if (marker)
    h = h % 12 + (ap == 'p' ? 12 : 0);
  if (h > 23 || v[1] > 59 || v[2] > 60)
    return FALSE;
  *st = (Stamp){ .tod = h * 3600 + v[1] * 60 + MIN (v[2], 59), .hour = v[0], .marker = marker };
  return TRUE;
}

gboolean
sb_log_read_stamp (const char *text, gsize len, Stamp *st)
{
  StampGroups sg;
  YearMonthDay ymd;
  if (read_common_stamp (text, len, st))
    return TRUE;
  /* a date is chosen later, against the clock; here only whether it is one */
  return scan_groups (text, len, &sg) && groups_time (&sg, st)
         && (!st->dated || groups_date (&sg, 0, &ymd));
}

gboolean
sb_log_parse_stamp (const char *text, gsize len, gint64 ref_day, int *tod, gboolean *has_date,
                    int *year, int *month, int *day)
{
  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  StampGroups sg;
  Stamp st;
  YearMonthDay ymd = { 0, 0, 0 };
  if (!read_common_stamp (text, len, &st) && (!scan_groups (text, len, &sg) || !groups_time (&sg, &st)))
    return FALSE;
  if (st.dated && !groups_date (&sg, ref_day, &ymd))
    return FALSE;
  if (tod != NULL)
    *tod = st.tod;
  if (has_date != NULL)
    *has_date = st.dated;
  if (st.dated && year != NULL)
    *year = ymd.y;
  if (st.dated && month != NULL)
    *month = ymd.m;
  if (st.dated && day != NULL)
    *day = ymd.d;
  return TRUE;
}

/* ---- file names -------------------------------------------------------- */

static int
digits (const char *p, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return -1;
      v = v * 10 + (p[i] - '0');
    }
  return v;
}

static gboolean
name_format (const char *basename, gsize len, SbLogFormat *fmt)
{
  if ((len > 5 && g_ascii_strcasecmp (basename + len - 5, ".html") == 0)
      || (len > 4 && g_ascii_strcasecmp (basename + len - 4, ".htm") == 0))
    *fmt = SB_LOG_FORMAT_HTML;
  else if (len > 4 && g_ascii_strcasecmp (basename + len - 4, ".txt") == 0)
    *fmt = SB_LOG_FORMAT_TXT;
  else
    return FALSE;
  return TRUE;
}

/* "YYYY-MM-DD.HHMMSS": the six fields, FALSE when not a valid date and time. */
static gboolean
name_date_time (const char *basename, gsize len, int f[6])
{
  if (len < 17 || basename[4] != '-' || basename[7] != '-' || basename[10] != '.')
    return FALSE;
  f[0] = digits (basename, 4);
  f[1] = digits (basename + 5, 2);
  f[2] = digits (basename + 8, 2);
  f[3] = digits (basename + 11, 2);
  f[4] = digits (basename + 13, 2);
  f[5] = digits (basename + 15, 2);
  for (int i = 0; i < 6; i++)
    if (f[i] < 0)
      return FALSE;
  if (!valid_date (f[0], f[1], f[2]) || f[3] > 23 || f[4] > 59 || f[5] > 60)
    return FALSE;
  f[5] = MIN (f[5], 59);
  return TRUE;
}

/* "+0200" after the time: TRUE and *@off when there. */
static gboolean
name_offset (const char *rest, gsize rest_len, int *off)
{
  if (rest_len < 5 || (rest[0] != '+' && rest[0] != '-'))
    return FALSE;
  int oh = digits (rest + 1, 2), om = digits (rest + 3, 2);
  if (oh < 0 || om < 0 || oh > 14 || om >= 60)
    return FALSE;
  *off = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  return TRUE;
}

static gboolean
zone_offset_of_local (GTimeZone *zone, const int f[6], int *off)
{
  g_autoptr (GTimeZone) local = zone == NULL ? g_time_zone_new_local () : NULL;
  g_autoptr (GDateTime) dt = g_date_time_new (zone != NULL ? zone : local, f[0], f[1], f[2], f[3],
                                              f[4], f[5]);
  if (dt == NULL)
    return FALSE;
  *off = (int) (g_date_time_get_utc_offset (dt) / G_TIME_SPAN_SECOND);
  return TRUE;
}

gboolean
sb_log_parse_file_name (const char *basename, GTimeZone *zone, gint64 *start, int *utc_offset,
                        gboolean *has_offset, SbLogFormat *format, GError **error)
{
  g_return_val_if_fail (basename != NULL, FALSE);
  gsize len = strlen (basename);
  SbLogFormat fmt;
  int f[6], off = 0;
  if (!name_format (basename, len, &fmt) || !name_date_time (basename, len, f))
    goto bad;
  gboolean has_off = name_offset (basename + 17, len - 17, &off);
  if (!has_off && !zone_offset_of_local (zone, f, &off))
    goto bad;

  if (start != NULL)
    *start = sb_log_days_from_civil (f[0], f[1], f[2]) * DAY_S + f[3] * 3600 + f[4] * 60 + f[5]
             - off;
  if (utc_offset != NULL)
    *utc_offset = off;
  if (has_offset != NULL)
    *has_offset = has_off;
  if (format != NULL)
    *format = fmt;
  return TRUE;

bad:
  g_set_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_NAME,
               "“%s” is not a libpurple log file name", basename);
  return FALSE;
}

/* ---- the zone ---------------------------------------------------------- */

/* UTC offsets of the file's zone, the last day looked up kept. */
typedef struct
{
  GTimeZone *zone; /* NULL: the fixed offset */
  int fixed;
  gint64 day;      /* the start of a UTC day without a change of offset */
  int day_offset;
  gboolean day_known;
} Zone;

static int
tz_offset (GTimeZone *zone, gint64 utc)
{
  int i = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, utc);
  return g_time_zone_get_offset (zone, MAX (i, 0));
}

/* Seconds east of UTC at @utc. */
static int
zone_offset (Zone *z, gint64 utc)
{
  if (z->zone == NULL)
    return z->fixed;
  if (z->day_known && utc >= z->day && utc - z->day < DAY_S)
    return z->day_offset;
  gint64 day = floor_div (utc, DAY_S) * DAY_S;
  int first = tz_offset (z->zone, day), last = tz_offset (z->zone, day + DAY_S - 1);
  if (first != last)
    return tz_offset (z->zone, utc); /* the day of a change */
  z->day = day;
  z->day_offset = first;
  z->day_known = TRUE;
  return first;
}

/* The user's zone when it agrees with the file name's offset at the file's
 * start, else the file's fixed offset. */
static void
zone_init (Zone *z, const Parser *ps)
{
  const SbLogFile *file = ps->file;
  *z = (Zone){ .fixed = file->utc_offset };
  GTimeZone *user = ps->opts->zone != NULL ? g_time_zone_ref (ps->opts->zone)
                                           : g_time_zone_new_local ();
  if (tz_offset (user, file->start) == file->utc_offset)
    z->zone = user;
  else
    g_time_zone_unref (user);
}

static void
zone_clear (Zone *z)
{
  g_clear_pointer (&z->zone, g_time_zone_unref);
}

/* ---- the clock --------------------------------------------------------- */

typedef struct
{
  Zone zone;
  gint64 utc;       /* the latest undated record */
  gboolean twelve;  /* stamps without AM/PM on a 12-hour clock */
} Clock;

/* The earliest instant not before the clock less ROLLOVER_S whose local time
 * is @local, trying the offsets of the half days around it; G_MAXINT64 when
 * none (a local time skipped by a change to summer time). */
static gint64
earliest_at_local (Clock *c, gint64 local, int off)
{
  int offs[3];
  offs[0] = off;
  offs[1] = zone_offset (&c->zone, local - off - HALF_DAY_S);
  offs[2] = zone_offset (&c->zone, local - off + HALF_DAY_S);
  gint64 best = G_MAXINT64;
  for (int k = 0; k < 3; k++)
    {
      gint64 utc = local - offs[k];
      if (utc >= c->utc - ROLLOVER_S && utc < best && zone_offset (&c->zone, utc) == offs[k])
        best = utc;
    }
  return best;
}

/* Times of day the stamp may mean: one, or two on a 12-hour clock. */
static int
stamp_tods (const Clock *c, const Stamp *st, int tods[2])
{
  tods[0] = st->tod;
  if (!c->twelve || st->marker || st->hour < 1 || st->hour > 12)
    return 1;
  tods[0] = st->tod % HALF_DAY_S; /* "12:05" is 00:05 or 12:05 */
  tods[1] = tods[0] + HALF_DAY_S;
  return 2;
}

/* The common case: one reading, no change of offset near the clock. */
static gboolean
clock_step_simple (Clock *c, int tod, int off, gint64 *utc)
{
  gint64 local = c->utc + off;
  int delta = tod - (int) (local - floor_div (local, DAY_S) * DAY_S);
  if (delta < -ROLLOVER_S)
    delta += DAY_S;
  else if (delta >= DAY_S - ROLLOVER_S)
    delta -= DAY_S;
  *utc = c->utc + delta;
  return zone_offset (&c->zone, *utc) == off;
}

/* The UTC time of an undated stamp; moves the clock there. */
static gint64
clock_step (Clock *c, const Stamp *st)
{
  int tods[2];
  int n = stamp_tods (c, st, tods);
  int off = zone_offset (&c->zone, c->utc);
  gint64 utc;
  if (n == 1 && clock_step_simple (c, tods[0], off, &utc))
    return c->utc = utc;

  gint64 day = floor_div (c->utc + off, DAY_S), best = G_MAXINT64;
  for (gint64 d = day - 1; d <= day + 1; d++)
    for (int i = 0; i < n; i++)
      best = MIN (best, earliest_at_local (c, d * DAY_S + tods[i], off));
  if (best == G_MAXINT64)
    best = c->utc; /* only inside a skipped hour: keep the order */
  return c->utc = best;
}

/* A dated stamp, read against the clock's day. */
static gboolean
dated_time (Clock *c, const Record *r, gint64 *utc)
{
  StampGroups sg;
  Stamp st;
  YearMonthDay ymd;
  int off = zone_offset (&c->zone, c->utc);
  if (!scan_groups (r->stamp, r->stamp_len, &sg) || !groups_time (&sg, &st)
      || !groups_date (&sg, floor_div (c->utc + off, DAY_S), &ymd))
    return FALSE;
  gint64 local = sb_log_days_from_civil (ymd.y, ymd.m, ymd.d) * DAY_S + st.tod;
  *utc = local - zone_offset (&c->zone, local - off);
  return TRUE;
}

/* A 12-hour clock without AM/PM: every undated stamp runs from 1 to 12 and
 * the day shows it: the window opened outside 01:00-12:59, or a stamp of the
 * twelve o'clock hour is followed by an earlier one (11:58, 12:03, 01:10). */
static gboolean
reads_as_twelve_hour (const Parser *ps)
{
  gint64 local = ps->file->start + ps->file->utc_offset;
  int start_hour = (int) (local - floor_div (local, DAY_S) * DAY_S) / 3600;
  gboolean evidence = start_hour < 1 || start_hour > 12, any = FALSE;
  int prev_hour = -1;
  for (guint i = 0; i < ps->records->len; i++)
    {
      const Record *r = &g_array_index (ps->records, Record, i);
      if (r->st.dated)
        continue;
      if (r->st.marker || r->st.hour < 1 || r->st.hour > 12)
        return FALSE;
      if (prev_hour == 12 && r->st.hour < 12)
        evidence = TRUE;
      prev_hour = r->st.hour;
      any = TRUE;
    }
  return any && evidence;
}

void
sb_log_clock_run (Parser *ps)
{
  Clock c = { .utc = ps->file->start };
  zone_init (&c.zone, ps);
  c.twelve = reads_as_twelve_hour (ps);
  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (!r->st.dated)
        r->time = clock_step (&c, &r->st);
      else if (dated_time (&c, r, &r->time))
        r->flags |= SB_EVENT_FLAG_BACKLOG;
      else
        r->time = 0; /* no valid date: dropped like a time before 1970 */
    }
  zone_clear (&c.zone);
}
