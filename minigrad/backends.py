"""torch.backends' switches that training scripts set or query, for a CPU-only library: no MPS
or CUDA backend is available, and the cuDNN flags are accepted and change nothing."""

from __future__ import annotations


class mps:
    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class cudnn:
    deterministic = False
    benchmark = False
    enabled = True
    allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def version() -> None:
        return None


class cuda:
    class matmul:
        """cuBLAS precision switches (`torch.backends.cuda.matmul.allow_tf32 = True` in training
        scripts): stored, and meaningless without CUDA."""
        allow_tf32 = False
        allow_fp16_reduced_precision_reduction = True
        allow_bf16_reduced_precision_reduction = True

    _sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}

    @staticmethod
    def is_built() -> bool:
        return False

    # scaled_dot_product_attention's kernel switches: kept, and always one (numpy) kernel here
    @staticmethod
    def flash_sdp_enabled() -> bool:
        return cuda._sdp["flash"]

    @staticmethod
    def enable_flash_sdp(enabled: bool) -> None:
        cuda._sdp["flash"] = bool(enabled)

    @staticmethod
    def mem_efficient_sdp_enabled() -> bool:
        return cuda._sdp["mem_efficient"]

    @staticmethod
    def enable_mem_efficient_sdp(enabled: bool) -> None:
        cuda._sdp["mem_efficient"] = bool(enabled)

    @staticmethod
    def math_sdp_enabled() -> bool:
        return cuda._sdp["math"]

    @staticmethod
    def enable_math_sdp(enabled: bool) -> None:
        cuda._sdp["math"] = bool(enabled)
