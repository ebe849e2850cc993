"""Channels that carry a conversation to Rasa: Telegram (python-telegram-bot) and the web widget."""
