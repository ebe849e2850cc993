"""SQLAlchemy models and queries for our own tables, beside Rasa's `events` table."""
