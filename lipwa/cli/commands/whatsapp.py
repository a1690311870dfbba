"""`lipwa whatsapp keygen|show`: the key pair of a merchant's WhatsApp Flows endpoint (docs/whatsapp-flows.md)."""

from __future__ import annotations

import typer

from ..context import CommandFailed, django_setup, echo, env_or_value, merchant_of, operator

app = typer.Typer(help="WhatsApp Flows data-exchange endpoint.", no_args_is_help=True)


@app.command()
def keygen(merchant: str = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_…"),
           app_secret: str | None = typer.Option(None, help="the Meta app secret (verifies X-Hub-Signature-256); "
                                                            "required the first time; env:NAME reads it from the "
                                                            "environment")) -> None:
    """Generate (or rotate) the endpoint's RSA key pair and print the public key to upload to Meta."""
    django_setup()
    from lipwa.whatsapp.services import endpoint_url, flow_keys_generate

    secret = env_or_value(app_secret, "--app-secret") if app_secret is not None else None
    endpoint = flow_keys_generate(merchant=merchant_of(merchant), app_secret=secret, actor=operator())
    echo(endpoint.public_key_pem.rstrip())
    echo(f"Endpoint URL: {endpoint_url(endpoint.merchant_id)}")
    echo("Upload this public key to Meta (WhatsApp Business Encryption); the private key stays encrypted here.")


@app.command()
def show(merchant: str = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_…")) -> None:
    """Print the endpoint's URL and current public key."""
    django_setup()
    from lipwa.whatsapp.services import endpoint_url, flow_endpoint_get

    endpoint = flow_endpoint_get(merchant_id=merchant_of(merchant).id)
    if endpoint is None:
        raise CommandFailed(f"{merchant} has no WhatsApp Flows key pair yet: run `lipwa whatsapp keygen`")
    echo(endpoint.public_key_pem.rstrip())
    echo(f"Endpoint URL: {endpoint_url(endpoint.merchant_id)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="whatsapp")
