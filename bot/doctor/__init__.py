"""`baocao doctor`: checks of an installation, each saying OK or what to fix."""
