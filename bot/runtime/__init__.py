"""The running bot: App, ingress, inbox, delivery, rate limits, timetable, jobs, upkeep."""
