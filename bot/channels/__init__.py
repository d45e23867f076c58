"""Telegram, Zalo and the console: fetch, parse, draw and send; no storage, no runtime."""
