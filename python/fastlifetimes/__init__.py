"""fastlifetimes: Buy-Till-You-Die customer-lifetime-value models with a C++ core, a
drop-in replacement for lifetimes 0.11.3 (``import fastlifetimes as lifetimes``)."""

from ._core import __version__
from .fitters import BaseFitter
from .fitters.beta_geo_fitter import BetaGeoFitter
from .fitters.gamma_gamma_fitter import GammaGammaFitter

__all__ = ["BetaGeoFitter", "GammaGammaFitter", "__version__"]
