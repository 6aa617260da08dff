"""The Slack bot: command parsing, identity linking, authorization and replies."""
