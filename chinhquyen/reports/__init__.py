"""Reports: figures computed from the dossiers' transition rows (issue #5 §8) — agency statistics
under the Decision 766 on-time rule, with the dossiers behind every number."""
