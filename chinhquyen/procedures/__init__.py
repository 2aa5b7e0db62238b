"""Procedures: the catalogue of administrative procedures (thủ tục hành chính) as versioned data —
documents required, the e-form, fees, the legal time limit, online level, delivery options and the
internal process the back office executes. A dossier keeps the version it was filed under."""
