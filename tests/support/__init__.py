"""Helpers that start the real bot (Rasa + action server) on loopback for tests and benchmarks."""
