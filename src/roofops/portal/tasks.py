"""Background work of the portal: mailing a sign-in link, and the automatic invitation.

Both tasks are defined beside the code that queues them (links, invites); this module is what
the composition root lists, like every domain's tasks."""

from __future__ import annotations

from roofops.portal.invites import invite_task
from roofops.portal.links import mail_link_task

__all__ = ["invite_task", "mail_link_task"]
