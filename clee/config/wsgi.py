"""WSGI entry point (gunicorn clee.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")
application = get_wsgi_application()
