"""The office's web dashboard: pages on the bot's HTTP server (or `baocao web` alone), a
one-time-link login, sessions, and actions through the same use cases as chat."""
