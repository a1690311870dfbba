"""`manage.py staff_create --merchant mer_… --email a@b.c --role admin`: a dashboard login for a merchant."""

from django.core.management.base import BaseCommand, CommandError

from lipwa.common.errors import LipwaError
from lipwa.dashboard.models import Role
from lipwa.dashboard.services import staff_create


class Command(BaseCommand):
    help = "Give an email address a dashboard role (viewer, operator, admin) at a merchant."

    def add_arguments(self, parser):
        parser.add_argument("--merchant", required=True, help="merchant id (mer_…)")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="for a new user; generated and printed once when omitted")

    def handle(self, *args, merchant, email, role, password=None, **options):
        try:
            membership, created_password = staff_create(merchant_id=merchant, email=email, role=role,
                                                        password=password, actor="cli")
        except LipwaError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{membership.user.username} is {membership.role} of {membership.merchant_id}")
        if created_password and not password:
            self.stdout.write(f"password (shown once): {created_password}")
