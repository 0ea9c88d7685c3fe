"""Search spaces as pure Python: canonical strings, validation, sampling, decisions."""

from wsbench.spaces.base import SearchSpace, get_space, space_names
from wsbench.spaces.darts import DARTS
from wsbench.spaces.darts_rnn import DARTSRNN
from wsbench.spaces.macro import Macro
from wsbench.spaces.nb101 import NB101
from wsbench.spaces.nb201 import NB201
from wsbench.spaces.proxylessnas import ProxylessNAS

__all__ = ["DARTS", "DARTSRNN", "NB101", "NB201", "Macro", "ProxylessNAS", "SearchSpace", "get_space", "space_names"]
