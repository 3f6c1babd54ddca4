"""Foreign formats: one module per format, each read from or written to a ``Network``.

Every reader keeps netgraph's loader contract: a size cap, ``NetworkFormatError`` naming
the offending place, and nothing from a document ever evaluated or written unescaped into
code. Heavy dependencies (onnx, torch, ...) are optional extras, imported only inside the
function that needs them.
"""

from ._synaptic import from_synaptic as from_synaptic
from ._synaptic import to_synaptic as to_synaptic

__all__ = [
    "from_synaptic",
    "to_synaptic",
]
