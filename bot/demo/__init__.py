"""`baocao demo`: a simulated month; telegram_api/ is the fake Bot API it shares with the tests."""
