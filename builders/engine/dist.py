"""torchrun support: one process group on CPU (gloo), or a no-op for a plain single-process build.

Under ``torchrun --nproc_per_node N -m builders build …`` every rank trains
the same supernet with DDP on its share of each batch (all ranks draw the same
architecture each step: the sampler is seeded identically), and the subnets to
score are split across ranks; rank 0 gathers the scores and writes each
(seed, epoch) region, because a region is a single Zarr chunk that two writers
must not share.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dist:
    rank: int = 0
    world: int = 1

    @classmethod
    def from_env(cls) -> Dist:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return cls()
        import torch.distributed as td

        if not td.is_initialized():
            td.init_process_group("gloo")
        return cls(td.get_rank(), td.get_world_size())

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.world > 1:
            import torch.distributed as td

            td.barrier()

    def wrap(self, model):
        """DDP for training when distributed (single-path steps leave most weights unused)."""
        if self.world == 1:
            return model
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(model, find_unused_parameters=True)

    def gather(self, mine: Any) -> list[Any]:
        if self.world == 1:
            return [mine]
        import torch.distributed as td

        out: list[Any] = [None] * self.world
        td.all_gather_object(out, mine)
        return out

    def close(self) -> None:
        if self.world > 1:
            import torch.distributed as td

            if td.is_initialized():
                td.destroy_process_group()
