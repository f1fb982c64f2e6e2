import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("communes")

URL = reverse("geo:search")


def test_url():
    assert URL == "/communes/recherche/"


def test_html_options_for_the_listbox(client):
    response = client.get(URL, {"q": "st etienne"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert html.count('role="option"') == 2
    assert 'data-value="42218"' in html
    assert 'data-label="Saint-Étienne (42)"' in html
    assert "42000, 42100, 42230" in html
    assert html.index("42218") < html.index("76575")  # best first
    assert "Accept" in response["Vary"]


def test_json_by_parameter_or_accept_header(client):
    for response in (
        client.get(URL, {"q": "42000", "format": "json"}),
        client.get(URL, {"q": "42000"}, headers={"Accept": "application/json"}),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert data["query"] == "42000"
        [result] = data["results"]
        assert result["insee_code"] == "42218"
        assert result["label"] == "Saint-Étienne (42)"
        assert result["postcodes"] == ["42000", "42100", "42230"]
        assert result["time_zone"] == "Europe/Paris"
        assert result["latitude"] == pytest.approx(45.43, abs=0.05)
        assert result["coordinates_source"] == "place"


def test_a_browser_accept_header_gets_html(client):
    response = client.get(URL, {"q": "lyon"}, headers={"Accept": "*/*"})
    assert response["Content-Type"].startswith("text/html")


def test_public_without_signing_in(client):
    response = client.get(URL, {"q": "paris"})
    assert response.status_code == 200  # not a redirect to the sign-in page


def test_empty_query_gives_no_result(client):
    response = client.get(URL, {"q": "  "})
    assert response.status_code == 200
    assert 'role="option"' not in response.content.decode()
    assert client.get(URL, {"format": "json"}).json() == {"query": "", "results": []}


def test_too_long_query_is_refused_clearly(client):
    response = client.get(URL, {"q": "a" * 101, "format": "json"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "query_too_long",
        "detail": "La recherche ne doit pas dépasser 100 caractères.",
    }
    response = client.get(URL, {"q": "a" * 101})
    assert response.status_code == 400
    assert "ne doit pas dépasser 100 caractères" in response.content.decode()


def test_odd_queries_never_fail(client):
    for query in ["%", "_", "'; DROP TABLE geo_commune; --", "(", "()", "((93))", "\\", "2A", "🙂", "a\x00b"]:
        response = client.get(URL, {"q": query, "format": "json"})
        assert response.status_code == 200, query


def test_only_get(client):
    assert client.post(URL, {"q": "paris"}).status_code == 405
