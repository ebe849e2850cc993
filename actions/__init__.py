"""Thin rasa-sdk actions. The work lives in bot.knowledge, bot.store and bot.safety."""
