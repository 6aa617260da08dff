"""The secure mailbox on the web: sign-in by emailed link, server-side sessions, digest pages.

Served by `bob serve` from the same aiohttp application (and port) as the Slack events.
"""
