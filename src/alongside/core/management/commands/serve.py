"""`make run`: the application under uvicorn (HTTP and WebSockets) and the task worker beside it,
started and stopped together. For one machine; production runs each as its own service
(docs/operations.md)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the app with uvicorn and run the background task worker beside it, until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        python = sys.executable
        commands = {
            "task worker": [python, "manage.py", "db_worker", "--no-reload", "--queue-name", "*", "--interval", "1"],
            "web server": [
                python, "-m", "uvicorn", "alongside.asgi:application", "--app-dir", "src", "--host", host,
                "--port", str(port), "--proxy-headers", "--lifespan", "off",
            ],
        }  # fmt: skip
        processes = {name: subprocess.Popen(command) for name, command in commands.items()}  # noqa: S603
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Serving on http://{host}:{port}/ with a task worker beside it. Ctrl-C stops both.")
        try:
            while not stopping:
                exited = [name for name, process in processes.items() if process.poll() is not None]
                if exited:
                    self.stderr.write(f"The {exited[0]} stopped; stopping the rest.")
                    break
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
