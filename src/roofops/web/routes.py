"""Dashboard pages (stub until the web module lands)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

STATIC_DIR = Path(__file__).parent / "static"
page_router = APIRouter()
