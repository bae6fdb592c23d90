"""The ASGI entry point: the stream of changes to open pages (/events/), which holds one
connection per open page, and in the demo every other page too. docs/deploy.md runs it beside
gunicorn's WSGI workers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

application = get_asgi_application()
