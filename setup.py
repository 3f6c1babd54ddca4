"""Build netgraph's native core, ``netgraph._core``, with the machine's C compiler.

Everything else about the package is in pyproject.toml. The kernels are plain C99/C11
(netgraph/_native); the build targets baseline x86-64 and compiles the hot loops for AVX2
as well, chosen at load time (see netgraph/_native/simd.h), so a wheel runs anywhere.
"""

from __future__ import annotations

import shutil
import sys

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NEEDS_COMPILER = """
netgraph's native core must be compiled, and no working C compiler was found{detail}.
Install one, with Python's headers, then run the install again:
  Debian/Ubuntu:  sudo apt-get install build-essential python3-dev
  Fedora/RHEL:    sudo dnf install gcc python3-devel
  Alpine:         apk add build-base python3-dev
  macOS:          xcode-select --install
  Windows:        the "Desktop development with C++" workload of Visual Studio Build Tools
"""

SOURCES = ["netgraph/_native/module.c", "netgraph/_native/feedforward.c",
           "netgraph/_native/recurrent.c", "netgraph/_native/many.c"]
HEADERS = ["netgraph/_native/lanes.h", "netgraph/_native/plan.h",
           "netgraph/_native/rules.h", "netgraph/_native/simd.h",
           "netgraph/_native/many.h"]
# netgraph._neat: the NEAT population (netgraph.neat), a module of its own
NEAT_SOURCES = ["netgraph/_native/neat.c", "netgraph/_native/neat_core.c",
                "netgraph/_native/neat_eval.c", "netgraph/_native/neat_tasks.c",
                "netgraph/_native/neat_seq.c", "netgraph/_native/neat_gates.c"]
NEAT_HEADERS = ["netgraph/_native/lanes.h", "netgraph/_native/neat.h",
                "netgraph/_native/neat_tasks.h",
                "netgraph/_native/neat_seq.h", "netgraph/_native/neat_ziggurat.h",
                "netgraph/_native/rules.h", "netgraph/_native/plan.h"]


class BuildNative(build_ext):
    """build_ext that says what to install when there is no C compiler."""

    def build_extensions(self) -> None:
        cc = getattr(self.compiler, "compiler_so", None)
        if cc and not shutil.which(cc[0]):
            sys.exit(NEEDS_COMPILER.format(detail=f" ({cc[0]!r} is not on PATH)"))
        try:
            super().build_extensions()
        except Exception as e:  # CompileError, LinkError, a missing Python.h, ...
            sys.exit(NEEDS_COMPILER.format(detail=f" (the build failed: {e})"))


if sys.platform == "win32":
    flags = ["/O2", "/fp:precise"]
else:
    # -ffp-contract=off: no fused multiply-adds, so sums round the same on every machine;
    # -fno-math-errno changes no result, and lets the compiler inline sqrt and friends.
    flags = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wextra",
             "-Wno-unused-parameter", "-Wno-missing-field-initializers"]

setup(
    ext_modules=[
        Extension(
            "netgraph._core",
            sources=SOURCES,
            depends=HEADERS,
            include_dirs=["netgraph/_native", numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=flags,
        ),
        Extension(
            "netgraph._neat",
            sources=NEAT_SOURCES,
            depends=NEAT_HEADERS,
            include_dirs=["netgraph/_native", numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=flags,
        ),
    ],
    cmdclass={"build_ext": BuildNative},
)
