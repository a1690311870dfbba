"""The admin's stylesheets are served by the app itself (WhiteNoise), as under gunicorn with DEBUG off."""

import httpx


def test_the_admin_stylesheet_is_served_by_the_app(live_server, settings):
    settings.DEBUG = False
    response = httpx.get(f"{live_server.url}/static/admin/css/base.css", trust_env=False, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_an_unknown_static_file_is_404(live_server):
    response = httpx.get(f"{live_server.url}/static/admin/css/nope.css", trust_env=False, timeout=10)
    assert response.status_code == 404
