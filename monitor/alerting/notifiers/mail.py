"""E-mail over SMTP (smtplib). The server comes from a URL held in an environment variable:
`smtp://[user:password@]host[:port]` (plain) or `smtp+starttls://...`; the password is never
logged. Connection failures and 4xx replies are transient, 5xx replies permanent."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from monitor.alerting.notifiers.base import BREACH, RECOVERY, NotificationEvent
from monitor.errors import PermanentError, TransientError


def compose(event: NotificationEvent, sender: str, to: tuple[str, ...]) -> EmailMessage:
    msg = EmailMessage()
    word = {BREACH: "breached", RECOVERY: "recovered"}.get(event.kind,
                                                           event.kind.replace("_", " "))
    msg["Subject"] = (f"[slamon] {event.vendor} / {event.contract} / {event.sla} {word} "
                      f"({event.period})")
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    lines = [event.summary, "", f"Period: {event.period}"]
    if event.value is not None and event.target is not None:
        lines.append(f"Attainment: {event.value:g} (target {event.target:g})")
    lines += [f"Dashboard: {event.dashboard_url}" if event.dashboard_url else "",
              f"Runbook: {event.runbook_url}" if event.runbook_url else "",
              f"Reference: {event.dedup_key}"]
    msg.set_content("\n".join(line for line in lines if line is not None) + "\n")
    return msg


class EmailNotifier:
    def __init__(self, url: str, to: tuple[str, ...], sender: str = "slamon@localhost",
                 timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtp+starttls") or not parts.hostname:
            raise PermanentError("e-mail notifier: expected smtp://host[:port] or smtp+starttls://")
        if not to:
            raise PermanentError("e-mail notifier: no recipients (`to`)")
        self.host, self.port = parts.hostname, parts.port or 25
        self.starttls = parts.scheme == "smtp+starttls"
        self.user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self.to, self.sender, self.timeout = to, sender, timeout
        self.channel = "email:" + ",".join(to)

    def send(self, event: NotificationEvent) -> None:
        msg = compose(event, self.sender, self.to)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user and self._password:
                    smtp.login(self.user, self._password)
                smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientError(f"SMTP {exc.smtp_code}") from None
            raise PermanentError(f"SMTP {exc.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"SMTP: {type(exc).__name__}") from None
