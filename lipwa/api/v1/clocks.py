"""/v1/test_clocks: simulated time for test-mode payments and schedules (lipwa.testclocks does the work).

The module is not named test_clocks.py so that pytest never takes it for a test module."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field, StrictInt, StrictStr

from lipwa.common.errors import InvalidRequest
from lipwa.testclocks.presenters import test_clock_to_dict
from lipwa.testclocks.selectors import test_clock_get, test_clocks_list
from lipwa.testclocks.services import require_test_mode, test_clock_advance, test_clock_create

from .schemas import ErrorOut, StrictSchema

router = Router(tags=["test clocks"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TestClockCreateIn(StrictSchema):
    __test__ = False

    frozen_time: StrictInt | None = Field(None, description="Unix seconds the clock starts at (now or later; "
                                                            "default now)")
    name: StrictStr | None = Field(None, max_length=100)


class TestClockAdvanceIn(StrictSchema):
    __test__ = False

    to: StrictInt | None = Field(None, description="Unix seconds to move the clock to (later than frozen_time)")
    seconds: StrictInt | None = Field(None, description="Or: how many seconds to move it forward")


@router.post("/test_clocks", response={201: dict, **ERRORS}, summary="Create a test clock (test mode only)")
def create_test_clock(request: HttpRequest, body: TestClockCreateIn):
    key = request.auth
    test_clock = test_clock_create(merchant=key.merchant, mode=key.mode, frozen_time=body.frozen_time,
                                   name=body.name or "")
    return Status(201, test_clock_to_dict(test_clock))


@router.get("/test_clocks/{clock_id}", response={200: dict, **ERRORS}, summary="Retrieve a test clock")
def get_test_clock(request: HttpRequest, clock_id: str):
    require_test_mode(request.auth.mode)
    return test_clock_to_dict(test_clock_get(merchant=request.auth.merchant, clock_id=clock_id))


@router.get("/test_clocks", response={200: dict, **ERRORS}, summary="List test clocks, newest first")
def list_test_clocks(request: HttpRequest, limit: int = 10, starting_after: str | None = None):
    require_test_mode(request.auth.mode)
    if not 1 <= limit <= 100:
        raise InvalidRequest("limit must be an integer from 1 to 100", param="limit")
    page, has_more = test_clocks_list(merchant=request.auth.merchant, limit=limit, starting_after=starting_after)
    return {"object": "list", "data": [test_clock_to_dict(c) for c in page], "has_more": has_more}


@router.post("/test_clocks/{clock_id}/advance", response={200: dict, **ERRORS},
             summary="Move a test clock forward, running the due work of its payments and schedules")
def advance_test_clock(request: HttpRequest, clock_id: str, body: TestClockAdvanceIn):
    key = request.auth
    test_clock, advanced = test_clock_advance(merchant=key.merchant, mode=key.mode, clock_id=clock_id, to=body.to,
                                              seconds=body.seconds)
    return test_clock_to_dict(test_clock, advanced=advanced)
