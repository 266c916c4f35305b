"""Background work of notifications: the e-mail each notification queued.

The task is defined beside ``notify()`` in the service (see why there); this module is what the
composition root lists, like every domain's tasks."""

from __future__ import annotations

from roofops.notification.service import send_mail_task

__all__ = ["send_mail_task"]
