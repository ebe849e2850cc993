"""Admissions: contact validation, staffed hours and lead creation for the callback form."""
