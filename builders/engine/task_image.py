"""Image classification on CIFAR-10: the task of the nb201, nb101, darts and proxylessnas builds.

A space plugs in through its kit (``builders/engine/kits.py``): presets, a
supernet with ``forward(x, parsed_arch)`` and its stand-alone network.
Supernets run in channels_last memory format: on this CPU it trained
1.4-2.5x and scored 2-5x faster than the default (benchmarks/scoring_floor.py).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from builders.engine.scoring import EVAL_BATCH, Scorer
from builders.engine.task import Task
from wsbench.errors import OptionError

#: BatchNorm at scoring time: re-estimated on R training batches through the subnet (default); the
#: statistics of the scored batch itself; or the supernet's running statistics as training left them
PROTOCOLS = ("recalibrate", "batch_stats", "running_stats")
POSITIVE = ("train_size", "valid_size", "score_size", "batch_size")
PRECISIONS = ("fp32", "bf16")


class ImageTask(Task):
    metric, direction, distributed = "accuracy", "max", True

    def __init__(self, space: str, preset_name: str, overrides: dict[str, Any]):
        from builders.engine.kits import get_kit

        self.space = space
        self.kit = get_kit(space)
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = sorted(set(given) - set(asdict(self.kit.preset(preset_name))))
        if unknown:
            raise OptionError(f"{space} presets have no setting {unknown}")
        for k in POSITIVE:
            if k in given and (not isinstance(given[k], int) or given[k] < 1):
                raise OptionError(f"--{k.replace('_', '-')} must be a positive integer, got {given[k]!r}")
        if "lr" in given and (not isinstance(given["lr"], float | int) or not 0 < given["lr"] < 10):
            raise OptionError(f"--lr must lie in (0, 10), got {given['lr']!r}")
        if "bn_batches" in given and given["bn_batches"] < 0:
            raise OptionError(f"--bn-batches must be >= 0, got {given['bn_batches']}")
        self.preset = replace(self.kit.preset(preset_name), **given)
        if self.preset.bn_protocol not in PROTOCOLS:
            raise OptionError(f"BN protocol must be one of {list(PROTOCOLS)}, got {self.preset.bn_protocol!r}")
        if self.preset.precision not in PRECISIONS:
            raise OptionError(f"--precision must be one of {list(PRECISIONS)}, got {self.preset.precision!r}")
        if self.preset.score_precision not in (None, *PRECISIONS):
            raise OptionError(f"--score-precision must be one of {list(PRECISIONS)}, "
                              f"got {self.preset.score_precision!r}")
        if self.preset.bn_protocol == "recalibrate" and self.preset.bn_batches < 1:
            raise OptionError("--bn-batches must be >= 1 with BN recalibration (or choose another --bn)")
        if self.preset.score_size > self.preset.valid_size:
            raise OptionError(f"score size {self.preset.score_size} exceeds the {self.preset.valid_size} held-out "
                              "images; lower --score-size or raise --valid-size")
        self.citation = self.kit.citation

    def provenance(self, data_dir: str | Path) -> dict[str, Any]:
        from builders.data.cifar10 import fingerprint

        p = self.preset
        return {
            "dataset": {"name": "CIFAR-10", "files_sha256": fingerprint(data_dir),
                        "notes": "official binary layout; the wsbench build machine's copy is a JPEG (q75) "
                                 "re-encoding of the original pixels",
                        "resolution": p.resolution, "train_images": p.train_size, "held_out_images": p.valid_size,
                        "split_seed": p.split_seed,
                        "split": "seeded split of the official 50k training set; the held-out part is never "
                                 "trained on"},
            "training": "uniform single-path (SPOS): each step one architecture, every op equally likely",
            "recipe_extra": {"optimizer": "SGD nesterov", "schedule": "cosine"},
            "evaluation_protocol": {
                "bn": p.bn_protocol, "bn_batches": p.bn_batches if p.bn_protocol == "recalibrate" else None,
                "split": "held-out part of the training set", "size": p.score_size, "eval_batch": EVAL_BATCH,
                "supernet_loss": "mean cross-entropy (nats) on the same images, same pass",
                "precision": self.scoring_precision(),
                "scoring": "builders.engine.scoring: prefix tree for chain spaces, else per subnet; "
                           "inference_mode; channels_last"},
        }

    def write_sizes(self, writer, archs: list[str]) -> None:
        """params/FLOPs of each architecture's stand-alone network at the build preset and at the published scale."""
        from builders.flops import count_flops, count_params

        kit, p = self.kit, self.preset
        sizes: dict[str, list[int]] = {"params": [], "flops": [], "params_paper": [], "flops_paper": []}
        for a in archs:
            for suffix, net, r in (("", kit.standalone(a, p.channels, p.cells_per_stage), p.resolution),
                                   ("_paper", kit.paper_standalone(a), kit.paper_input)):
                sizes["params" + suffix].append(count_params(net))
                sizes["flops" + suffix].append(count_flops(net, (3, r, r)))
        for k, v in sizes.items():
            writer.write_arch_values(k, np.array(v, dtype=float))

    def load_data(self, data_dir: str | Path) -> None:
        from builders.data.cifar10 import Split, prepare

        p = self.preset
        self.train, valid = prepare(data_dir, train_size=p.train_size, valid_size=p.valid_size,
                                    split_seed=p.split_seed, resolution=p.resolution)
        self.held_out = Split(valid.x[: p.score_size], valid.y[: p.score_size])

    def set_device(self, device: str) -> None:
        import torch

        super().set_device(device)
        if self.device.type == "cuda" and self.preset.precision == "fp32":
            # "fp32" means fp32: CUDA would otherwise run convolutions in TF32, another arithmetic than the CPU's
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cuda.matmul.allow_tf32 = False

    def scoring_precision(self) -> str:
        return self.preset.score_precision or self.preset.precision

    def autocast(self, precision: str | None = None):
        """bf16 autocast when the preset asks for it (the precision lever), else a no-op context."""
        import torch

        wanted = precision or self.preset.precision
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=wanted == "bf16")

    def new_model(self):
        import torch

        return self.kit.supernet(self.preset).to(self.device, memory_format=torch.channels_last)

    def new_optimizer(self, model, epochs: int):
        import torch

        p = self.preset
        opt = torch.optim.SGD(model.parameters(), lr=p.lr, momentum=p.momentum, nesterov=True,
                              weight_decay=p.weight_decay)
        return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * self.steps_per_epoch(),
                                                              eta_min=p.lr_min or 0.0)

    def steps_per_epoch(self) -> int:
        return len(self.train) // self.preset.batch_size

    def train_epoch(self, model, sampler, data_rng, opt, sched, dist, advance) -> str:
        import torch

        from builders.core.images import augment, to_tensor
        from wsbench.spaces import get_space

        p, space, train = self.preset, get_space(self.space), self.train
        model.train()
        order = data_rng.permutation(len(train))
        total = torch.zeros((), device=self.device)
        for b in range(self.steps_per_epoch()):
            idx = np.sort(order[b * p.batch_size:(b + 1) * p.batch_size])
            x = augment(to_tensor(train.x[idx]), data_rng, p.crop_padding, p.flip)
            y = torch.from_numpy(train.y[idx])
            if dist.world > 1:  # every rank augments the whole batch (same RNG stream), trains on its share
                x, y = x[dist.rank::dist.world], y[dist.rank::dist.world]
            x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
            with self.autocast():
                loss = torch.nn.functional.cross_entropy(model(x, self.draw(space, sampler)), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.detach().float()
            advance(1)
        return f"loss {float(total) / max(self.steps_per_epoch(), 1):.2f}"

    def score(self, model, choices, seed: int, epoch: int, advance):
        """Accuracy (%) and mean cross-entropy on the held-out images; with ``recalibrate`` every subnet at this
        (seed, epoch) is recalibrated on the same R seeded training batches."""
        from builders.core.images import to_tensor

        p, train = self.preset, self.train
        rng = np.random.default_rng([seed, epoch, 3])
        recal = [to_tensor(train.x[np.sort(rng.choice(len(train), p.batch_size, replace=False))]).to(self.device)
                 for _ in range(p.bn_batches)] if p.bn_protocol == "recalibrate" else []
        scorer = Scorer.for_space(self.space, model, p.bn_protocol)
        with self.autocast(self.scoring_precision()):
            return scorer.score(choices, recal, to_tensor(self.held_out.x).to(self.device), self.held_out.y, advance)
