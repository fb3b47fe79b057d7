"""Every action an audit row can name: the value is what the row stores, the label what people read.

The audit writers (``clee.core.audit``) take an ``AuditAction``, so a new kind of write adds its
member here first; a free-text string fails ``make typecheck`` and tests/core/test_audit_actions.py.
The trail's ``action`` field offers these as its choices, so a new member comes with its
migration (``manage.py makemigrations core``: choices only, nothing changes in the database).
The values are the strings the trail has always stored (no row changes); a few older spellings
stay as written (``account.created`` by single sign-on, ``compliance.extension`` by the demo).
"""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    # clee.accounts
    ACCOUNT_STAFF_CREATE = "account.staff_create", "Staff account created"
    ACCOUNT_DEACTIVATE = "account.deactivate", "Account deactivated"
    ACCOUNT_AGENCY_ACCESS_END = "account.agency_access_end", "Agency access ended with the commission"

    # clee.people
    ACCOUNT_CREATE = "account.create", "Account created"
    ACCOUNT_REACTIVATE = "account.reactivate", "Account reactivated"
    ACCOUNT_PASSWORD_RESET_REQUEST = "account.password_reset_request", "Password reset link sent"
    ACCOUNT_PASSWORD_RESET = "account.password_reset", "Password reset"
    ACCOUNT_EMAIL_CHANGE_REQUEST = "account.email_change_request", "Email change requested"
    ACCOUNT_EMAIL_CHANGE = "account.email_change", "Email address changed"
    PEOPLE_INVITATION_SEND = "people.invitation_send", "Invitation sent"
    PEOPLE_INVITATION_CANCEL = "people.invitation_cancel", "Invitation cancelled"
    PEOPLE_INVITATION_ACCEPT = "people.invitation_accept", "Invitation accepted"
    PEOPLE_SIGNUP_REQUEST = "people.signup_request", "Officer sign-up requested"
    PEOPLE_PASSWORD_RESET_REQUEST = "people.password_reset_request", "Password reset requested"

    # clee.security
    AUTH_SIGN_IN = "auth.sign_in", "Signed in"
    AUTH_SIGN_OUT = "auth.sign_out", "Signed out"
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed", "Sign-in refused"
    AUTH_LOCKOUT = "auth.lockout", "Sign-in locked after failures"
    AUTH_LOCKOUT_LIFTED = "auth.lockout_lifted", "Sign-in lock lifted"
    ACCOUNT_PASSWORD_CHANGE = "account.password_change", "Password changed"
    MFA_TOTP_ENROL = "mfa.totp_enrol", "Authenticator app enrolled"
    MFA_PASSKEY_ENROL = "mfa.passkey_enrol", "Passkey enrolled"
    MFA_RECOVERY_CODES_ISSUE = "mfa.recovery_codes_issue", "Recovery codes issued"
    MFA_RECOVERY_CODE_USE = "mfa.recovery_code_use", "Recovery code used"
    MFA_DEVICE_REMOVE = "mfa.device_remove", "Second-factor device removed"
    MFA_RESET = "mfa.reset", "Second factor reset"
    MFA_VERIFIED = "mfa.verified", "Second step of sign-in passed"
    MFA_VERIFY_FAILED = "mfa.verify_failed", "Second step of sign-in failed"

    # clee.sso
    SSO_SIGNED_IN = "sso.signed_in", "Signed in with single sign-on"
    SSO_LINKED = "sso.linked", "Single sign-on identity linked"
    SSO_CONFIRMATION_FAILED = "sso.confirmation_failed", "Single sign-on confirmation failed"
    SSO_INVITATION_SENT = "sso.invitation_sent", "Single sign-on invitation sent"
    SSO_INVITATION_USED = "sso.invitation_used", "Invitation used"
    ACCOUNT_CREATED = "account.created", "Account created by single sign-on"

    # clee.agencies
    AGENCY_CREATE = "agency.create", "Agency added"
    AGENCY_UPDATE = "agency.update", "Agency changed"
    AGENCY_TRAINING_SESSION = "agency.training_session", "In-service session recorded"
    TRAINING_HELD_APPROVE = "training.held_approve", "Held in-service training approved"
    TRAINING_HELD_REFUSE = "training.held_refuse", "Held in-service training refused"

    # clee.officers
    OFFICER_CREATE = "officer.create", "Officer licensed"
    OFFICER_LICENSE_STATUS = "officer.license_status", "License status changed"
    OFFICER_LICENSE_UPGRADE = "officer.license_upgrade", "License upgraded"
    COMMISSION_START = "commission.start", "Commission started"
    COMMISSION_END = "commission.end", "Commission ended"
    COMMISSION_HISTORY_GRANT = "commission.history_grant", "Earlier training history shared"
    COMMISSION_IDENTITY_CONFIRMED = "commission.identity_confirmed", "Officer's identity confirmed"
    COMMISSION_IDENTITY_MISMATCH = "commission.identity_mismatch", "Officer's identity did not match"
    COMMISSION_NOTICE_SENT = "commission.notice_sent", "Commission notice sent"
    COMMISSION_NOTICE_FAILED = "commission.notice_failed", "Commission notice not sent"

    # clee.providers
    PROVIDER_CREATE = "provider.create", "Provider added"
    PROVIDER_UPDATE = "provider.update", "Provider changed"
    COURSE_CREATE = "course.create", "Course added"
    COURSE_UPDATE = "course.update", "Course changed"
    COURSE_WITHDRAW = "course.withdraw", "Course withdrawn"
    OFFERING_CREATE = "offering.create", "Offering scheduled"
    OFFERING_UPDATE = "offering.update", "Offering changed"
    OFFERING_INSTRUCTORS_CREDIT = "offering.instructors_credit", "Instructors credited"
    RECOGNIZED_COURSE_CREATE = "recognized_course.create", "Recognized course added"
    RECOGNIZED_COURSE_UPDATE = "recognized_course.update", "Recognized course changed"
    ROSTER_UPLOAD = "roster.upload", "Roster uploaded"
    TRAINING_RECORD_CORRECT = "training.record_correct", "Training record corrected"
    TRAINING_RECORD_WITHDRAW = "training.record_withdraw", "Training record withdrawn"

    # clee.training
    TRAINING_RECORD_ADD = "training.record_add", "Training record added"
    TRAINING_RECORD_REVERSE = "training.record_reverse", "Training record reversed"
    TRAINING_CREDIT_REQUEST_SUBMIT = "training.credit_request_submit", "Credit request submitted"
    TRAINING_CREDIT_REQUEST_DECIDE = "training.credit_request_decide", "Credit request decided"
    TRAINING_CERTIFICATE_ISSUE = "training.certificate_issue", "Certificate issued"

    # clee.attendance
    ATTENDANCE_SESSION_START = "attendance.session_start", "Attendance session started"
    ATTENDANCE_SESSION_END = "attendance.session_end", "Attendance session ended"
    ATTENDANCE_SESSION_CONFIRM = "attendance.session_confirm", "Attendance confirmed"
    ATTENDANCE_CHECK_IN = "attendance.check_in", "Officer checked in"
    ATTENDANCE_CHECK_OUT = "attendance.check_out", "Officer checked out"
    ATTENDANCE_ENTRY_ADD = "attendance.entry_add", "Officer added to the attendance list"

    # clee.compliance
    PERIOD_OPEN = "period.open", "Reporting period opened"
    PERIOD_PHASE = "period.phase", "Reporting period phase changed"
    PERIOD_RULES_CHANGE = "period.rules_change", "Reporting period rules changed"
    COMPLIANCE_LICENSE_DECIDE = "compliance.license_decide", "License decided"
    COMPLIANCE_LICENSE_REACTIVATE = "compliance.license_reactivate", "License reactivated"
    COMPLIANCE_RECOMPUTE_REQUEST = "compliance.recompute_request", "Compliance recompute requested"
    COMPLIANCE_EXEMPTION_GRANT = "compliance.exemption_grant", "Exemption granted"
    COMPLIANCE_EXTENSION_REQUEST = "compliance.extension_request", "Extension requested"
    COMPLIANCE_EXTENSION_DECIDE = "compliance.extension_decide", "Extension request decided"
    COMPLIANCE_EXTENSION_GRANT = "compliance.extension_grant", "Extension granted"
    TRAINING_APPLY_TO_PERIOD = "training.apply_to_period", "Training applied to another period"
    RULES_BOOK_INSTALL = "rules.book_install", "Rule book installed"
    RULES_BOOK_PUBLISH = "rules.book_publish", "Rule book published"
    RULES_DRAFT_CREATE = "rules.draft_create", "Rule draft created"
    RULES_DRAFT_UPDATE = "rules.draft_update", "Rule draft changed"
    RULES_DRAFT_SUBMIT = "rules.draft_submit", "Rule draft submitted"
    RULES_DRAFT_RETURN = "rules.draft_return", "Rule draft returned"
    RULES_DRAFT_WITHDRAW = "rules.draft_withdraw", "Rule draft withdrawn"
    RULES_IMPACT_PREVIEW = "rules.impact_preview", "Rule impact preview started"
    RULES_IMPACT_PREVIEW_CANCEL = "rules.impact_preview_cancel", "Rule impact preview cancelled"
    RULES_RECOGNIZED_INSTALL = "rules.recognized_install", "Recognized courses installed"
    RULES_RECOGNIZED_ADD = "rules.recognized_add", "Recognized course added to the rules"
    RULES_RECOGNIZED_END = "rules.recognized_end", "Recognized course ended"

    # clee.credentials
    CREDENTIALS_ISSUE = "credentials.issue", "Credential issued"
    CREDENTIALS_REVOKE = "credentials.revoke", "Credential revoked"
    CREDENTIALS_KEY_GENERATE = "credentials.key_generate", "Signing key generated"
    CREDENTIALS_KEY_RETIRE = "credentials.key_retire", "Signing key retired"
    CREDENTIALS_KEY_WITHDRAW = "credentials.key_withdraw", "Signing key withdrawn"

    # clee.notices
    NOTICES_PREPARE = "notices.prepare", "Notice prepared"
    NOTICES_SENT = "notices.sent", "Notice sent"
    NOTICES_WITHDRAWN = "notices.withdrawn", "Notice withdrawn"
    NOTICES_CLAIM_EXPIRED = "notices.claim_expired", "Notice sending claim expired"
    NOTICES_LICENSE_EXPIRED = "notices.license_expired", "License expired"

    # clee.imports
    IMPORTS_ROSTER_APPLY = "imports.roster_apply", "Completion roster imported"
    IMPORTS_AGENCIES_APPLY = "imports.agencies_apply", "Agencies imported"
    IMPORTS_OFFICERS_APPLY = "imports.officers_apply", "Officers imported"
    IMPORTS_COMMISSIONS_APPLY = "imports.commissions_apply", "Commissions imported"

    # clee.api
    API_TOKEN_CREATE = "api.token_create", "API token created"
    API_TOKEN_REVOKE = "api.token_revoke", "API token revoked"
    API_COURSE_SUBMIT = "api.course_submit", "Course submitted through the API"
    API_ROSTER_SUBMIT = "api.roster_submit", "Roster submitted through the API"

    # clee.jobs
    JOB_SCHEDULE_CREATE = "job.schedule_create", "Job schedule created"
    JOB_CLAIM = "job.claim", "Job claimed by a worker"
    JOB_RETRY = "job.retry", "Job retried after its worker was lost"
    JOB_LOST = "job.lost", "Job failed: its worker was lost"

    # clee.core
    DOCUMENT_STORE = "document.store", "Document stored"

    # clee.demo
    DEMO_LOADED = "demo.loaded", "Demo state loaded"
    COMPLIANCE_EXTENSION = "compliance.extension", "Extension (demo state)"
