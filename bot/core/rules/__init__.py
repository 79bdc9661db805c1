"""Rules of time: the working calendar, deadlines, reminder schedules and their texts."""
