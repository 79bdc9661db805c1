"""Platform-neutral use cases: what the bot does, whichever chat platform a person is on."""
