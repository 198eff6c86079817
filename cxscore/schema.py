"""The JSON Schema of the brand file, generated from the pydantic model."""

from __future__ import annotations

import json

from cxscore.models import BrandFile


def brand_json_schema() -> str:
    """The brand file's JSON Schema as indented JSON (for yaml-language-server and editors)."""
    schema = BrandFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
