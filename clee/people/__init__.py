"""People and accounts: onboarding invitations for agencies' and providers' people and POST
staff, officers' own sign-up, password reset and email change by email, deactivation."""
