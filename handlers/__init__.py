"""What the bot does for each chat event, channel-neutral: event + state -> replies."""
