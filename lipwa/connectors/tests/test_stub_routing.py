"""How the shared test stub routes a request path to a scripted route."""

from __future__ import annotations

from lipwa.connectors.testing.stub import route_for

ROUTES = ["/v1_0/apiuser", "/v1_0/apiuser/*", "/v1_0/apiuser/*/apikey", "/pay/refund", "/pay/*"]


def test_an_exact_route_wins_over_a_pattern_that_also_covers_it():
    assert route_for("/pay/refund", ROUTES) == "/pay/refund"
    assert route_for("/v1_0/apiuser", ROUTES) == "/v1_0/apiuser"


def test_a_star_stands_for_one_segment_and_the_longest_pattern_wins():
    assert route_for("/pay/abc%2F12%203", ROUTES) == "/pay/*"
    assert route_for("/v1_0/apiuser/u-1", ROUTES) == "/v1_0/apiuser/*"
    assert route_for("/v1_0/apiuser/u-1/apikey", ROUTES) == "/v1_0/apiuser/*/apikey"


def test_a_path_no_route_covers_has_no_route():
    assert route_for("/pay/a/b", ROUTES) is None
    assert route_for("/other", ROUTES) is None
