"""``python -m orders_service``: serve the application on the configured host and port."""

import uvicorn

from orders_service.settings import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(
        "orders_service.main:app",
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips="*",
    )


if __name__ == "__main__":
    main()
