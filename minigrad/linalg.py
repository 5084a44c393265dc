"""minigrad.linalg: torch.linalg's norms (vector_norm, matrix_norm, norm)."""

from minigrad.ops.norms import linalg_norm as norm
from minigrad.ops.norms import matrix_norm, vector_norm

__all__ = ["matrix_norm", "norm", "vector_norm"]
