"""fastlifetimes: Buy-Till-You-Die customer-lifetime-value models with a C++ core, a
drop-in replacement for lifetimes 0.11.3 (``import fastlifetimes as lifetimes``)."""

from ._core import __version__
from .fitters.beta_geo_fitter import BetaGeoFitter
from .fitters.pareto_nbd_fitter import ParetoNBDFitter

__all__ = ["BetaGeoFitter", "ParetoNBDFitter", "__version__"]
