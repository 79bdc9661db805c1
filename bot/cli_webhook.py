"""`baocao webhook set|delete|info`: where Telegram and Zalo send the bot's updates.

Several instances behind a load balancer receive by webhook; these commands set it (to
BAOCAO_PUBLIC_URL with each platform's secret, as `baocao run --webhook` does at start), remove
it (to go back to polling: a webhook left set makes polling fail), or say what each platform
has. Secrets and tokens are never printed. Registered on the main command by `register(app)`.
"""

from __future__ import annotations

from typing import Any

import typer

from bot.core.i18n import t

ACTIONS = ("set", "delete", "info")


def register(app: typer.Typer) -> None:
    """Add `webhook set|delete|info` to `app`."""
    options: dict[str, Any] = {"options_metavar": t("cli-metavar-options")}
    webhook_app = typer.Typer(
        help=t("webhook-cli-help"),
        no_args_is_help=True,
        subcommand_metavar=t("cli-metavar-command"),
        **options,
    )
    webhook_app.command("set", help=t("webhook-cli-set-help"), **options)(set_webhook)
    webhook_app.command("delete", help=t("webhook-cli-delete-help"), **options)(delete_webhook)
    webhook_app.command("info", help=t("webhook-cli-info-help"), **options)(webhook_info)
    app.add_typer(webhook_app, name="webhook")


def set_webhook() -> None:
    _command("set")


def delete_webhook() -> None:
    _command("delete")


def webhook_info() -> None:
    _command("info")


def _command(action: str) -> None:
    from bot import cli

    config = cli.settings()
    if config.telegram_token is None and config.zalo_token is None:
        cli.fail(t("webhook-cli-no-platform"))
    from bot.platforms import manage_webhooks

    lines = cli.run(lambda: manage_webhooks(config, action, said=said))
    for line in lines:
        cli.out.print(line, markup=False)


def said(platform: str, action: str, url: str, *, pending: int | None) -> str:
    if action == "set":
        return t("webhook-cli-set", platform=platform, url=url or "-")
    if action == "delete":
        return t("webhook-cli-deleted", platform=platform)
    if not url:
        return t("webhook-cli-info-none", platform=platform)
    if pending is None:
        return t("webhook-cli-info", platform=platform, url=url)
    return t("webhook-cli-info-pending", platform=platform, url=url, pending=pending)
