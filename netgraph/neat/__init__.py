"""netgraph.neat: NEAT neuro-evolution whose genomes are netgraph networks.

Reads neat-python's configuration files unchanged and runs neat-python-style code with a
one-line import change (``import netgraph.neat as neat``); the population lives in the
native core as arrays of genes (``GenomeData``), and ``genome.network`` is a real
``netgraph.Network``. This package imports the core; the core never imports it.
"""

from ._genes import GenomeData as GenomeData
from ._genes import check_genome_data as check_genome_data

__all__ = [
    "GenomeData",
    "check_genome_data",
]
