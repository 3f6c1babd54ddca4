"""netgraph: neural networks built as graphs.

The model is a networkx ``DiGraph`` (``Network.graph``): neurons are nodes with
``bias``, ``activation``, ``role`` and ``layer``; synapses are edges with ``weight``.
Build it from ``Layer`` objects in Synaptic's vocabulary, or from any graph, then
``activate`` and ``propagate``.
"""

from typing import TYPE_CHECKING

from ._activations import ACTIVATIONS as ACTIVATIONS
from ._activations import Activation as Activation
from ._activations import get_activation as get_activation
from ._costs import COSTS as COSTS
from ._costs import Cost as Cost
from ._costs import get_cost as get_cost
from ._diagram import ColorScheme as ColorScheme
from ._diagram import diagram as diagram
from ._diagram import render as render_diagram
from ._diagram import to_dot as to_dot
from ._exceptions import ActivationError as ActivationError
from ._exceptions import ConcurrencyError as ConcurrencyError
from ._exceptions import ConversionWarning as ConversionWarning
from ._exceptions import CycleError as CycleError
from ._exceptions import DivergenceError as DivergenceError
from ._exceptions import GraphvizNotFoundError as GraphvizNotFoundError
from ._exceptions import InputError as InputError
from ._exceptions import MissingDependencyError as MissingDependencyError
from ._exceptions import NetgraphError as NetgraphError
from ._exceptions import NetgraphWarning as NetgraphWarning
from ._exceptions import NetworkFormatError as NetworkFormatError
from ._exceptions import NeuronError as NeuronError
from ._exceptions import SynapticFidelityWarning as SynapticFidelityWarning
from ._exceptions import TargetRangeWarning as TargetRangeWarning
from ._exceptions import TopologyError as TopologyError
from ._exceptions import UnreachableOutputWarning as UnreachableOutputWarning
from ._graph import NetGraph as NetGraph
from ._layer import Layer as Layer
from ._layer import Projection as Projection
from ._many import gradients as gradients
from ._many import train_many as train_many
from ._network import Gradient as Gradient
from ._network import Network as Network
from ._schemas import schema as schema
from ._train import TrainOptions as TrainOptions
from ._train import TrainResult as TrainResult
from ._views import feedforward_view as feedforward_view
from ._views import relabel as relabel

__version__ = "0.1.0"

# The JSON format's pydantic models load on first use (importing pydantic takes a while).
_LAZY = {"NetworkDocument": "._document", "TrainingState": "._document",
         "render_training": "._replay"}


# Type checkers see plain imports, and no module-level __getattr__: one visible to them
# would let every misspelt name (``from netgraph import Netwrok``) pass.
if TYPE_CHECKING:
    from ._document import NetworkDocument as NetworkDocument
    from ._document import TrainingState as TrainingState
    from ._replay import render_training as render_training
else:
    def __getattr__(name: str) -> object:
        if name in _LAZY:
            import importlib

            return getattr(importlib.import_module(_LAZY[name], __name__), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "Activation",
    "ActivationError",
    "ColorScheme",
    "ConcurrencyError",
    "ConversionWarning",
    "Cost",
    "CycleError",
    "DivergenceError",
    "Gradient",
    "GraphvizNotFoundError",
    "InputError",
    "Layer",
    "MissingDependencyError",
    "NetGraph",
    "NetgraphError",
    "NetgraphWarning",
    "Network",
    "NetworkDocument",
    "NetworkFormatError",
    "NeuronError",
    "Projection",
    "SynapticFidelityWarning",
    "TargetRangeWarning",
    "TopologyError",
    "TrainOptions",
    "TrainResult",
    "TrainingState",
    "UnreachableOutputWarning",
    "diagram",
    "feedforward_view",
    "get_activation",
    "get_cost",
    "gradients",
    "relabel",
    "render_diagram",
    "render_training",
    "schema",
    "to_dot",
    "train_many",
]
