from django.core.management.base import BaseCommand

from demo.codes import code_now


class Command(BaseCommand):
    help = "Print the code the demo staff's authenticator app would show now (for trying the demo)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(code_now())
