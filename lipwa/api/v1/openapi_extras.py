"""Answers every operation can give that no router declares: 429 from the rate limits (with Retry-After) and
413 for a body over LIPWA_MAX_BODY_BYTES. Both come from middleware before the view runs, so they are added to
the OpenAPI document here, once, rather than in every router."""

from __future__ import annotations

from ninja import NinjaAPI

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}
RATE_LIMITED = {
    "description": "Too many requests for this API key or client address (`rate_limit_error`)",
    "headers": {"Retry-After": {"description": "Seconds until the limit's window ends",
                                "schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
}
TOO_LARGE = {
    "description": "The request body is larger than allowed (`body_too_large`)",
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def add_middleware_responses(schema: dict) -> dict:
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault(429, RATE_LIMITED)
            if "requestBody" in operation:
                responses.setdefault(413, TOO_LARGE)
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))
    return schema


class LipwaNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return add_middleware_responses(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))
