"""Dossiers: the one-stop dossier (hồ sơ TTHC) — its code, reception from every channel,
transitions, deadlines, routing and results. For now: the dossier code and its daily counters."""
