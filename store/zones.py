"""The agency time zone bob assumes when none is configured or imported.

Business dates, schedules and imported local times are read in an agency's zone; bob was
built for agencies on Pacific time, so that is the one default every layer falls back to.
"""

DEFAULT_TIME_ZONE = "America/Los_Angeles"
