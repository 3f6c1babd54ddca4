"""netgraph.neat: NEAT neuro-evolution whose genomes are netgraph networks.

Reads neat-python's configuration files unchanged and runs neat-python-style code with a
one-line import change (``import netgraph.neat as neat``); the population lives in the
native core as arrays of genes (``GenomeData``), and ``genome.network`` is a real
``netgraph.Network``. This package imports the core; the core never imports it.
"""

from .._exceptions import ConfigError as ConfigError
from ._config import ACTIVATION_NAMES as ACTIVATION_NAMES
from ._config import AGGREGATION_NAMES as AGGREGATION_NAMES
from ._config import Config as Config
from ._config import DefaultGenome as DefaultGenome
from ._config import DefaultReproduction as DefaultReproduction
from ._config import DefaultSpeciesSet as DefaultSpeciesSet
from ._config import DefaultStagnation as DefaultStagnation
from ._genes import GenomeData as GenomeData
from ._genes import check_genome_data as check_genome_data
from ._genome import ConnectionGene as ConnectionGene
from ._genome import Genome as Genome
from ._genome import NodeGene as NodeGene

__all__ = [
    "ACTIVATION_NAMES",
    "AGGREGATION_NAMES",
    "Config",
    "ConfigError",
    "ConnectionGene",
    "DefaultGenome",
    "DefaultReproduction",
    "DefaultSpeciesSet",
    "DefaultStagnation",
    "Genome",
    "GenomeData",
    "NodeGene",
    "check_genome_data",
]
