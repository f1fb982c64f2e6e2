"""Who may do what in scheduling. Object checks only; pages are closed by default (LoginRequiredMiddleware)."""

# --- Tutoring -------------------------------------------------------------------------------------------------


# --- Discovery sessions ---------------------------------------------------------------------------------------
