"""Prediction service: a BG/NBD and a Gamma-Gamma model loaded once at start-up, and
``POST /predict`` for one customer's RFM profile or a list of them.

    uvicorn app:app --app-dir examples/service --port 8000

Model files (fastlifetimes JSON, time in days) come from the environment, by default the
CDNOW models shipped in ``models/`` (see make_models.py):

    FASTLIFETIMES_BGNBD_MODEL        BG/NBD model file
    FASTLIFETIMES_GAMMA_GAMMA_MODEL  Gamma-Gamma model file
    FASTLIFETIMES_DISCOUNT_RATE      monthly discount rate of the CLV (default 0.01)
"""

from __future__ import annotations

import json
import math
import os
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Union

import numpy as np
from fastapi import Body, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

import fastlifetimes
from fastlifetimes import BetaGeoFitter, GammaGammaFitter

SHIPPED_MODELS = Path(__file__).resolve().parent / "models"
BGNBD_MODEL_ENV = "FASTLIFETIMES_BGNBD_MODEL"
GAMMA_GAMMA_MODEL_ENV = "FASTLIFETIMES_GAMMA_GAMMA_MODEL"
DISCOUNT_RATE_ENV = "FASTLIFETIMES_DISCOUNT_RATE"
CLV_MONTHS = 12
MAX_BATCH = 10_000  # one request should not hold a worker for long


class Profile(BaseModel):
    """One customer's history, in days (the time unit the models were fitted in)."""

    model_config = ConfigDict(extra="forbid")

    # the models compute in doubles, which hold every whole number up to 2**53 exactly
    frequency: int = Field(ge=0, le=2**53, description="number of repeat purchases")
    recency: float = Field(ge=0, allow_inf_nan=False,
                           description="days from the first to the last purchase")
    T: float = Field(ge=0, allow_inf_nan=False, description="days since the first purchase")
    monetary_value: float = Field(ge=0, allow_inf_nan=False,
                                  description="mean value of the repeat purchases (ignored when frequency is 0)")

    @model_validator(mode="after")
    def check_history(self):
        if self.recency > self.T:
            raise ValueError(f"recency ({self.recency}) must not exceed T ({self.T})")
        if self.frequency > 0 and self.monetary_value <= 0:
            raise ValueError("monetary_value must be positive when frequency > 0 "
                             "(the mean value of the repeat purchases)")
        return self


class Prediction(BaseModel):
    expected_purchases_30d: float
    expected_purchases_90d: float
    p_alive: float
    clv_12m: float = Field(description=f"discounted expected revenue over the next {CLV_MONTHS} months")


# A list is a batch, anything else one profile: errors then name the branch that applies,
# not both branches of the union.
PredictRequest = Annotated[
    Union[
        Annotated[Profile, Tag("profile")],
        Annotated[list[Profile], Tag("batch"), Field(min_length=1, max_length=MAX_BATCH)],
    ],
    Discriminator(lambda body: "batch" if isinstance(body, list) else "profile"),
]


@dataclass(frozen=True)
class Models:
    bgnbd: BetaGeoFitter
    gamma_gamma: GammaGammaFitter
    discount_rate: float
    files: dict


def load_model(fitter, variable: str, default: Path):
    """The fitter loaded from the file named by ``variable``, and what /health shows of
    the file; a start-up error names the variable and the file."""
    path = Path(os.environ.get(variable, default))
    try:
        fitter.load_model(path)
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RuntimeError(f"{variable}={path}: cannot load the {type(fitter).__name__}: {error}") from None
    return fitter, {
        "file": str(path),
        "model": document["model"],
        "format_version": document["format_version"],
        "library_version": document["library_version"],
        "params": {name: float(value) for name, value in fitter.params_.items()},
    }


def load_models() -> Models:
    raw_rate = os.environ.get(DISCOUNT_RATE_ENV, "0.01")
    try:
        discount_rate = float(raw_rate)
    except ValueError:
        discount_rate = math.nan
    if not (math.isfinite(discount_rate) and discount_rate > -1):
        raise RuntimeError(f"{DISCOUNT_RATE_ENV}={raw_rate!r}: must be a finite number above -1")
    bgnbd, bgnbd_file = load_model(BetaGeoFitter(), BGNBD_MODEL_ENV, SHIPPED_MODELS / "bgnbd.json")
    gamma_gamma, gamma_gamma_file = load_model(GammaGammaFitter(), GAMMA_GAMMA_MODEL_ENV,
                                               SHIPPED_MODELS / "gamma_gamma.json")
    return Models(bgnbd, gamma_gamma, discount_rate, {"bgnbd": bgnbd_file, "gamma_gamma": gamma_gamma_file})


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.models = load_models()
    yield


app = FastAPI(title="fastlifetimes prediction service", version=fastlifetimes.__version__,
              lifespan=lifespan)


@app.exception_handler(RequestValidationError)
async def refuse_request(request: Request, error: RequestValidationError):
    """422 with where and why, without FastAPI's echo of the input: a NaN in the input
    cannot be written as JSON, and a large batch need not travel back."""
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return JSONResponse(status_code=422, content={"detail": detail})


def predict_many(models: Models, profiles: list[Profile]) -> list[Prediction]:
    """All profiles in one vectorised call per quantity."""
    f, r, T, m = (np.array([getattr(p, name) for p in profiles], dtype=float)
                  for name in ("frequency", "recency", "T", "monetary_value"))
    bgf = models.bgnbd
    columns = {
        "expected_purchases_30d": bgf.conditional_expected_number_of_purchases_up_to_time(30, f, r, T),
        "expected_purchases_90d": bgf.conditional_expected_number_of_purchases_up_to_time(90, f, r, T),
        "p_alive": bgf.conditional_probability_alive(f, r, T),
        "clv_12m": models.gamma_gamma.customer_lifetime_value(
            bgf, f, r, T, m, time=CLV_MONTHS, discount_rate=models.discount_rate, freq="D").to_numpy(),
    }
    for name, values in columns.items():
        bad = ~np.isfinite(values)
        if bad.any():  # JSON has no infinities: say which profile is out of range
            raise ValueError(f"{name} is not finite for profile {int(np.flatnonzero(bad)[0])}: "
                             "the values are out of the models' range")
    names, lists = list(columns), [values.tolist() for values in columns.values()]
    return [Prediction(**dict(zip(names, row))) for row in zip(*lists)]


@app.post("/predict", response_model=Union[Prediction, list[Prediction]])
def predict(body: Annotated[PredictRequest, Body()], request: Request):
    profiles = body if isinstance(body, list) else [body]
    try:
        predictions = predict_many(request.app.state.models, profiles)
    except ValueError as error:
        # the library refuses what the request schema let through: still the client's input
        raise HTTPException(status_code=422, detail=str(error)) from None
    return predictions if isinstance(body, list) else predictions[0]


@app.get("/health")
def health(request: Request):
    models: Models = request.app.state.models
    return {
        "status": "ok",
        "fastlifetimes_version": fastlifetimes.__version__,
        "time_unit": "days",
        "clv": {"months": CLV_MONTHS, "monthly_discount_rate": models.discount_rate},
        "models": models.files,
    }
