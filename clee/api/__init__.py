"""The public REST API (/api/v1/) for providers' and agencies' own systems, with its OpenAPI document."""
