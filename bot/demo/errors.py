"""What stops the demo."""


class DemoError(RuntimeError):
    """The demo cannot run or went wrong; the message says why, in Vietnamese."""
