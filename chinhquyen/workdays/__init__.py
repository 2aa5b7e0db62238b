"""Workdays: the working calendar and every deadline computation of the system."""
