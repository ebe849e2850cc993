"""The staff console: transcript review, flags, admissions queue, live takeover, audit."""
