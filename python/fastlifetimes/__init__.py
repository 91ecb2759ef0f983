"""fastlifetimes: Buy-Till-You-Die customer-lifetime-value models with a C++ core, a
drop-in replacement for lifetimes 0.11.3 (``import fastlifetimes as lifetimes``)."""

from . import plotting as plotting  # cheap: matplotlib is imported only when a plot is drawn
from ._core import __version__
from .fitters import BaseFitter as BaseFitter  # lifetimes has it at the top level too
from .fitters.beta_geo_beta_binom_fitter import BetaGeoBetaBinomFitter
from .fitters.beta_geo_cnbd_fitter import BetaGeoCNBDFitter, ModifiedBetaGeoCNBDFitter
from .fitters.beta_geo_covariates_fitter import BetaGeoCovariatesFitter
from .fitters.beta_geo_fitter import BetaGeoFitter
from .fitters.gamma_gamma_fitter import GammaGammaFitter
from .fitters.ggompertz_nbd_fitter import GGompertzNBDFitter
from .fitters.modified_beta_geo_fitter import ModifiedBetaGeoFitter
from .fitters.nbd_fitter import NBDFitter
from .fitters.pareto_nbd_covariates_fitter import ParetoNBDCovariatesFitter
from .fitters.pareto_nbd_fitter import ParetoNBDFitter
from .fitters.shifted_beta_geometric_fitter import ShiftedBetaGeometricFitter

__all__ = [
    "BetaGeoFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "ParetoNBDCovariatesFitter",
    "BetaGeoCovariatesFitter",
    "BetaGeoBetaBinomFitter",
    "GammaGammaFitter",
    "ShiftedBetaGeometricFitter",
    "GGompertzNBDFitter",
    "NBDFitter",
    "BetaGeoCNBDFitter",
    "ModifiedBetaGeoCNBDFitter",
    "__version__",
]
