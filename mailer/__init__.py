"""Digests, the secure mailbox, the email outbox, the SMTP sender and the scheduler jobs."""
