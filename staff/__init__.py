"""Clinic staff's tools over the FAQ and the bot's records: reports, review, posters."""
