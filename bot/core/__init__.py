"""The pure core: texts, citations, excerpts, plans, schedules, questions, summaries.

Nothing here imports discord, aiosqlite, the environment or the clock.
"""
