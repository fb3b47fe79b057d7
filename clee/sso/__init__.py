"""Single sign-on through the state's OpenID Connect provider, and onboarding invitations."""
