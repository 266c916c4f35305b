"""The API reference: Swagger UI from vendored files, for signed-in people and API tokens only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from roofops.auth.dependencies import CurrentPrincipal, requires
from roofops.auth.permissions import Permission
from roofops.web.dependencies import Page
from roofops.web.rendering import render

router = APIRouter(dependencies=[Depends(requires(Permission.USE_ACCOUNT))])


@router.get("/docs")
def docs(request: Request, _page: Page) -> Response:
    return render(request, "docs.html")


@router.get("/openapi.json")
def openapi(request: Request, _principal: CurrentPrincipal) -> Response:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)
