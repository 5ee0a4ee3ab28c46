"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

from studio import create_app

app = create_app()
