"""Portal fixtures: the real SMTP server of tests/notices, for pages whose writes send mail."""

from tests.notices.conftest import smtp, smtp_port  # noqa: F401 (fixtures, used by name)
