"""The intake's way for a file: arrival, guard, reading by content, checks, filing away."""
