"""One process or several under `torchrun --nproc_per_node=N` (DistributedDataParallel over gloo, on CPU):
the training commands start and end the same way through these two functions."""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Processes:
    distributed: bool
    rank: int
    world: int

    @property
    def is_main(self) -> bool:
        """Rank 0 evaluates, saves and prints; the others only train."""
        return self.rank == 0


def start_processes(threads: int = 0) -> Processes:
    """Join the torchrun process group if there is one (WORLD_SIZE > 1); set torch's threads if asked."""
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("gloo")
    if threads:
        torch.set_num_threads(threads)
    return Processes(distributed, dist.get_rank() if distributed else 0, dist.get_world_size() if distributed else 1)


def end_processes(processes: Processes) -> None:
    if processes.distributed:
        dist.barrier()
        dist.destroy_process_group()
