"""examples/service/app.py: its answers are the library's numbers, a batch answers as its
profiles one by one, bad bodies get a 422 saying why; and it runs under a real uvicorn."""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import fastlifetimes as lifetimes

SERVICE = Path(__file__).resolve().parents[2] / "examples" / "service"
sys.path.insert(0, str(SERVICE))
import app as service  # noqa: E402
from measure_cold_start import post_json, running_service  # noqa: E402

PROFILES = [
    {"frequency": 0, "recency": 0, "T": 545, "monetary_value": 0},
    {"frequency": 1, "recency": 28, "T": 508, "monetary_value": 12.5},
    {"frequency": 5, "recency": 511, "T": 544, "monetary_value": 27.14},
    {"frequency": 10, "recency": 367, "T": 545, "monetary_value": 35.628},
    {"frequency": 3, "recency": 30.5, "T": 30.5, "monetary_value": 1e-3},
    {"frequency": 40, "recency": 0.25, "T": 1000, "monetary_value": 500},
]


@pytest.fixture(scope="module")
def client():
    with TestClient(service.app) as client:  # entering runs the start-up: the models load
        yield client


@pytest.fixture(scope="module")
def models():
    bgf = lifetimes.BetaGeoFitter().load_model(SERVICE / "models" / "bgnbd.json")
    ggf = lifetimes.GammaGammaFitter().load_model(SERVICE / "models" / "gamma_gamma.json")
    return bgf, ggf


def library_prediction(models, profile, discount_rate=0.01):
    bgf, ggf = models
    f, r, T, m = (np.array([float(profile[k])]) for k in ("frequency", "recency", "T", "monetary_value"))
    return {
        "expected_purchases_30d": bgf.conditional_expected_number_of_purchases_up_to_time(30, f, r, T)[0],
        "expected_purchases_90d": bgf.conditional_expected_number_of_purchases_up_to_time(90, f, r, T)[0],
        "p_alive": bgf.conditional_probability_alive(f, r, T)[0],
        "clv_12m": ggf.customer_lifetime_value(bgf, f, r, T, m, time=12, discount_rate=discount_rate,
                                           freq="D").iloc[0],
    }


def assert_same_numbers(answer, expected):
    assert set(answer) == set(expected)
    for key, value in expected.items():
        assert answer[key] == pytest.approx(value, rel=1e-12, abs=0), key


@pytest.mark.parametrize("profile", PROFILES)
def test_one_profile_is_the_librarys_numbers(client, models, profile):
    response = client.post("/predict", json=profile)
    assert response.status_code == 200, response.text
    assert_same_numbers(response.json(), library_prediction(models, profile))


def test_batch_answers_as_the_profiles_one_by_one(client):
    batch = client.post("/predict", json=PROFILES)
    assert batch.status_code == 200, batch.text
    singles = [client.post("/predict", json=p).json() for p in PROFILES]
    assert batch.json() == singles


def test_health_shows_the_loaded_models(client, models):
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["fastlifetimes_version"] == lifetimes.__version__
    assert health["clv"] == {"months": 12, "monthly_discount_rate": 0.01}
    for name, model in zip(("bgnbd", "gamma_gamma"), models):
        shown = health["models"][name]
        assert shown["model"] == type(model).__name__
        assert shown["format_version"] == 1 and shown["library_version"]
        assert shown["params"] == model.params_.to_dict()


GOOD = {"frequency": 2, "recency": 30, "T": 100, "monetary_value": 20}


@pytest.mark.parametrize("body, where, reason", [
    ({**GOOD, "frequency": -1}, ["body", "profile", "frequency"], "greater than or equal to 0"),
    ({**GOOD, "recency": -1}, ["body", "profile", "recency"], "greater than or equal to 0"),
    ({**GOOD, "T": -5, "recency": 0}, ["body", "profile", "T"], "greater than or equal to 0"),
    ({**GOOD, "recency": 101}, ["body", "profile"], "recency (101.0) must not exceed T (100.0)"),
    ({**GOOD, "frequency": 1.5}, ["body", "profile", "frequency"], "valid integer"),
    ({**GOOD, "monetary_value": 0}, ["body", "profile"], "monetary_value must be positive when frequency > 0"),
    ({k: v for k, v in GOOD.items() if k != "T"}, ["body", "profile", "T"], "Field required"),
    ({**GOOD, "segment": "gold"}, ["body", "profile", "segment"], "Extra inputs are not permitted"),
    ([GOOD, {**GOOD, "frequency": -1}], ["body", "batch", 1, "frequency"], "greater than or equal to 0"),
    ([], ["body", "batch"], "at least 1 item"),
    ("GOOD", ["body", "profile"], "valid dictionary"),
])
def test_invalid_body_is_422_with_the_reason(client, body, where, reason):
    response = client.post("/predict", json=body)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == where
    assert reason in error["msg"]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_422(client, text):
    # Python's json module reads these tokens; the answer must still be valid JSON
    body = json.dumps(GOOD).replace('"recency": 30', f'"recency": {text}')
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Input should be a finite number"


def test_library_value_error_is_422_with_its_message(client, monkeypatch):
    bgf = client.app.state.models.bgnbd

    def refuse(*args, **kwargs):
        raise ValueError("recency: values larger than T in 1 row, first at rows [0]")

    monkeypatch.setattr(bgf, "conditional_probability_alive", refuse)
    response = client.post("/predict", json=GOOD)
    assert response.status_code == 422
    assert response.json() == {"detail": "recency: values larger than T in 1 row, first at rows [0]"}


def test_results_out_of_range_are_422(client):
    response = client.post("/predict", json={**GOOD, "monetary_value": 1e308})
    assert response.status_code == 422
    assert "clv_12m is not finite" in response.json()["detail"]


def test_models_and_discount_rate_from_the_environment(tmp_path, monkeypatch, models):
    bgf, ggf = models
    bgf.save_model(tmp_path / "b.json", save_data=False)
    ggf.save_model(tmp_path / "g.json", save_data=False)
    monkeypatch.setenv(service.BGNBD_MODEL_ENV, str(tmp_path / "b.json"))
    monkeypatch.setenv(service.GAMMA_GAMMA_MODEL_ENV, str(tmp_path / "g.json"))
    monkeypatch.setenv(service.DISCOUNT_RATE_ENV, "0.05")
    with TestClient(service.app) as client:
        assert client.get("/health").json()["models"]["bgnbd"]["file"] == str(tmp_path / "b.json")
        answer = client.post("/predict", json=GOOD).json()
    assert_same_numbers(answer, library_prediction(models, GOOD, discount_rate=0.05))


def test_wrong_model_file_stops_the_start_up(monkeypatch):
    monkeypatch.setenv(service.BGNBD_MODEL_ENV, str(SERVICE / "models" / "gamma_gamma.json"))
    with pytest.raises(RuntimeError, match="FASTLIFETIMES_BGNBD_MODEL=.*holds a 'GammaGammaFitter'"):
        with TestClient(service.app):
            pass


def test_under_uvicorn(models):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLIFETIMES_")}
    with running_service(env=env) as url:
        answer = post_json(url + "/predict", PROFILES[2])
    assert_same_numbers(answer, library_prediction(models, PROFILES[2]))
