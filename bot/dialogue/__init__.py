"""Rasa dialogue extensions that keep the bot answering when a part of it fails."""
