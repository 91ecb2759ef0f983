"""fastlifetimes: Buy-Till-You-Die customer-lifetime-value models with a C++ core, a
drop-in replacement for lifetimes 0.11.3 (``import fastlifetimes as lifetimes``)."""

from ._core import __version__
from .fitters.beta_geo_beta_binom_fitter import BetaGeoBetaBinomFitter
from .fitters.beta_geo_fitter import BetaGeoFitter
from .fitters.modified_beta_geo_fitter import ModifiedBetaGeoFitter

__all__ = ["BetaGeoFitter", "ModifiedBetaGeoFitter", "BetaGeoBetaBinomFitter", "__version__"]
