/* sb-params.h: the tunable numbers of the ledger (docs/design.md, "Definitions").
 *
 * Every part that segments or summarises history takes one of these, so tests
 * and preferences can change G, R and the window without touching code.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SB_PARAMS_ERROR (sb_params_error_quark ())
GQuark sb_params_error_quark (void);

typedef enum
{
  SB_PARAMS_ERROR_INVALID, /* a value out of range; the message gives them all */
} SbParamsError;

#define SB_DAY (G_GINT64_CONSTANT (86400))
#define SB_HOUR (G_GINT64_CONSTANT (3600))

typedef struct
{
  gint64 gap_s;          /* G: a message more than this after the previous starts a new episode */
  gint64 answer_s;       /* R: a one-sided episode still takes its answer this long after its start */
  gint64 window_s;       /* the rolling window for "recent" figures */
} SbParams;

/* Defaults (docs/design.md): G = 6 h, R = 48 h, window = 180 days. */
#define SB_PARAMS_DEFAULT { 6 * SB_HOUR, 48 * SB_HOUR, 180 * SB_DAY }

/* Fills @params with the defaults above.  Never fails. */
void sb_params_init (SbParams *params);

/* TRUE when every value is positive (G > 0, R > 0, window > 0); otherwise
 * FALSE with @error (SB_PARAMS_ERROR_INVALID).  The ledger reports the same
 * failure as SB_LEDGER_ERROR_INVALID. */
gboolean sb_params_validate (const SbParams *params, GError **error);

G_END_DECLS
