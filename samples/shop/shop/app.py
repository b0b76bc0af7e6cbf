"""WSGI entry point: ``flask --app shop.app run`` or ``gunicorn shop.app:app``."""

from shop import create_app

app = create_app()


if __name__ == "__main__":
    app.run(debug=app.config.get("DEBUG", False))
