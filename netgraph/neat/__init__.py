"""netgraph.neat: NEAT neuro-evolution whose genomes are netgraph networks.

Reads neat-python's configuration files unchanged and runs neat-python-style code with a
one-line import change (``import netgraph.neat as neat``); the population lives in the
native core as arrays of genes (``GenomeData``), and ``genome.network`` is a real
``netgraph.Network``. This package imports the core; the core never imports it.
"""

from .._exceptions import ConfigError as ConfigError
from . import nn as nn
from . import tasks as tasks
from ._config import ACTIVATION_NAMES as ACTIVATION_NAMES
from ._config import AGGREGATION_NAMES as AGGREGATION_NAMES
from ._config import Config as Config
from ._config import DefaultGenome as DefaultGenome
from ._config import DefaultReproduction as DefaultReproduction
from ._config import DefaultSpeciesSet as DefaultSpeciesSet
from ._config import DefaultStagnation as DefaultStagnation
from ._evaluators import ProcessEvaluator as ProcessEvaluator
from ._evaluators import RayEvaluator as RayEvaluator
from ._evaluators import ThreadEvaluator as ThreadEvaluator
from ._fitness import Dataset as Dataset
from ._fitness import Evaluator as Evaluator
from ._fitness import SerialEvaluator as SerialEvaluator
from ._genes import GenomeData as GenomeData
from ._genes import check_genome_data as check_genome_data
from ._genome import ConnectionGene as ConnectionGene
from ._genome import GateGene as GateGene
from ._genome import Genome as Genome
from ._genome import NodeGene as NodeGene
from ._learn import Learn as Learn
from ._pictures import plot_fitness as plot_fitness
from ._pictures import plot_species as plot_species
from ._pictures import render_evolution as render_evolution
from ._population import CompleteExtinctionException as CompleteExtinctionException
from ._population import GenerationRecord as GenerationRecord
from ._population import Population as Population
from ._reporting import BaseReporter as BaseReporter
from ._reporting import ReporterSet as ReporterSet
from ._reporting import StatisticsReporter as StatisticsReporter
from ._reporting import StdOutReporter as StdOutReporter
from ._sequences import Sequences as Sequences

__all__ = [
    "ACTIVATION_NAMES",
    "AGGREGATION_NAMES",
    "BaseReporter",
    "CompleteExtinctionException",
    "Config",
    "ConfigError",
    "ConnectionGene",
    "Dataset",
    "DefaultGenome",
    "DefaultReproduction",
    "DefaultSpeciesSet",
    "DefaultStagnation",
    "Evaluator",
    "GateGene",
    "GenerationRecord",
    "Genome",
    "GenomeData",
    "Learn",
    "NodeGene",
    "Population",
    "ProcessEvaluator",
    "RayEvaluator",
    "ReporterSet",
    "Sequences",
    "SerialEvaluator",
    "StatisticsReporter",
    "StdOutReporter",
    "ThreadEvaluator",
    "check_genome_data",
    "nn",
    "plot_fitness",
    "plot_species",
    "render_evolution",
    "tasks",
]
