"""Where complaint data comes from: the Source protocol and its implementations."""
