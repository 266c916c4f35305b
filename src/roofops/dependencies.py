"""Request dependencies shared by the API and the pages (the request's session is db.DB)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from roofops.config import Settings


def app_settings(request: Request) -> Settings:
    """The settings the app was built with (tests build apps with settings of their own)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]
