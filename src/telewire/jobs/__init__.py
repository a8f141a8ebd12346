"""Scheduled jobs kept in telewire's storage: once, repeating, daily, cron; see scheduler."""

from telewire.jobs.calendar import CalendarError
from telewire.jobs.clock import Clock, FakeClock, SystemClock
from telewire.jobs.records import ScheduledJob
from telewire.jobs.running import Job
from telewire.jobs.scheduler import Scheduler

__all__ = ["CalendarError", "Clock", "FakeClock", "Job", "ScheduledJob", "Scheduler", "SystemClock"]
