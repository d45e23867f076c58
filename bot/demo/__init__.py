"""`baocao demo`: a simulated reporting month against a built-in local chat server."""
