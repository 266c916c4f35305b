"""JSON shapes of job documents and of sharing a document or a photo with the customer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from roofops.kit.schemas import Flag, OrmModel, PatchModel, text

Title = Annotated[str, text(1, 200)]
Shared = Annotated[Flag, Field(description="true: the job's customer sees it in the portal")]


class JobDocumentOut(OrmModel):
    id: uuid.UUID
    job_id: uuid.UUID
    title: str
    filename: str = Field(description="sanitized; its extension follows the file's real type")
    content_type: str = Field(description="read from the file's first bytes, not its name")
    byte_size: int
    uploaded_at: datetime
    uploaded_by_id: uuid.UUID | None
    shared_with_customer: bool
    url: str = Field(default="", description="where the bytes are downloaded (view_jobs)")


class JobDocumentUpdate(PatchModel):
    shared_with_customer: Shared | None = None
    title: Title | None = None


class PhotoShareIn(BaseModel):
    shared_with_customer: Shared
