"""Account security: multi-factor authentication, lockout, session limits, password rules."""
