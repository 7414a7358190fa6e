"""What the bot stores for the clinic: pseudonymous usage records, under a retention limit."""
