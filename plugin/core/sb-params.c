/* sb-params.c: defaults and validation of the ledger's tunable numbers. */
#include "smileback/sb-params.h"

G_DEFINE_QUARK (sb-params-error-quark, sb_params_error)

void
sb_params_init (SbParams *params)
{
  const SbParams defaults = SB_PARAMS_DEFAULT;
  *params = defaults;
}

gboolean
sb_params_validate (const SbParams *params, GError **error)
{
  g_return_val_if_fail (params != NULL, FALSE);

  if (params->gap_s <= 0 || params->answer_s <= 0 || params->window_s <= 0)
    {
      g_set_error (error, SB_PARAMS_ERROR, SB_PARAMS_ERROR_INVALID,
                   "invalid ledger parameters (gap %" G_GINT64_FORMAT " s, answer %" G_GINT64_FORMAT
                   " s, window %" G_GINT64_FORMAT " s): all must be positive",
                   params->gap_s, params->answer_s, params->window_s);
      return FALSE;
    }
  return TRUE;
}
