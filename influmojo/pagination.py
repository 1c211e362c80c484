from drf_spectacular.utils import OpenApiParameter
from rest_framework import pagination
from rest_framework.response import Response


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=&offset=` answering {"results": [...], "total": N, "limit": L, "offset": O}."""

    default_limit = 20
    max_limit = 100

    def get_paginated_response(self, data):
        return Response({"results": data, "total": self.count, "limit": self.limit, "offset": self.offset})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "total", "limit", "offset"],
            "properties": {
                "results": schema,
                "total": {"type": "integer", "example": 123},
                "limit": {"type": "integer", "example": 20},
                "offset": {"type": "integer", "example": 0},
            },
        }


LIMIT_OFFSET_PARAMETERS = [
    OpenApiParameter("limit", int, description="Rows per page (max 100)."),
    OpenApiParameter("offset", int, description="Rows to skip."),
]
