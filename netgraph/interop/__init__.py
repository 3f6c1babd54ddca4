"""Foreign formats: one module per format, each read from or written to a ``Network``.

Every reader keeps netgraph's loader contract: a size cap, ``NetworkFormatError`` naming
the offending place, and nothing from a document ever evaluated or written unescaped into
code. Heavy dependencies (onnx, torch, ...) are optional extras, imported only inside the
function that needs them. ``detect`` names the format of a document or file on sight;
``load`` reads any of them and says which it found.
"""

from ._brain import from_brain as from_brain
from ._brain import to_brain as to_brain
from ._detect import FORMATS as FORMATS
from ._detect import Loaded as Loaded
from ._detect import detect as detect
from ._detect import load as load
from ._layout import StateLayout as StateLayout
from ._layout import state_layout as state_layout
from ._neat import from_neat as from_neat
from ._neat import from_neat_json as from_neat_json
from ._neat import to_neat_json as to_neat_json
from ._neataptic import from_neataptic as from_neataptic
from ._neataptic import to_neataptic as to_neataptic
from ._onnx import from_onnx as from_onnx
from ._onnx import to_onnx as to_onnx
from ._standalone import to_c as to_c
from ._standalone import to_javascript as to_javascript
from ._standalone import to_python as to_python
from ._synaptic import from_synaptic as from_synaptic
from ._synaptic import to_synaptic as to_synaptic
from ._torch import from_torch as from_torch
from ._torch import load_torch_state as load_torch_state
from ._torch import to_torch as to_torch

__all__ = [
    "FORMATS",
    "Loaded",
    "StateLayout",
    "detect",
    "from_brain",
    "from_neat",
    "from_neat_json",
    "from_neataptic",
    "from_onnx",
    "from_synaptic",
    "from_torch",
    "load",
    "load_torch_state",
    "state_layout",
    "to_brain",
    "to_c",
    "to_javascript",
    "to_neat_json",
    "to_neataptic",
    "to_onnx",
    "to_python",
    "to_synaptic",
    "to_torch",
]
