"""Synaptic's recurrent benchmark tasks: discrete sequence recall, the embedded Reber
grammar and the timing task."""

from ._tasks import TaskResult as TaskResult
from ._tasks import dsr as dsr
from ._tasks import dsr_sequence as dsr_sequence
from ._tasks import dsr_trials as dsr_trials
from ._tasks import erg as erg
from ._tasks import erg_encode as erg_encode
from ._tasks import erg_string as erg_string
from ._tasks import timing_samples as timing_samples
from ._tasks import timing_task as timing_task

__all__ = [
    "TaskResult",
    "dsr",
    "dsr_sequence",
    "dsr_trials",
    "erg",
    "erg_encode",
    "erg_string",
    "timing_samples",
    "timing_task",
]
