from django.core.management.base import BaseCommand

from lipwa.ops.scheduler import run_forever


class Command(BaseCommand):
    help = "Enqueue lipwa's periodic tasks (janitor, expiry, heartbeat) every few seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between ticks (default 5)")

    def handle(self, *args, interval: float, **options):
        if interval <= 0:
            from django.core.management.base import CommandError

            raise CommandError("--interval must be a positive number of seconds")
        run_forever(interval)
