"""Which task a space builds with: one line per kind of task (kept apart from ``task.py`` so no import circle)."""

from __future__ import annotations

from typing import Any

from builders.engine.task import Task


def get_task(space: str, preset_name: str, overrides: dict[str, Any], device: str = "cpu") -> Task:
    if space == "darts-rnn":
        from builders.engine.task_lm import LanguageModelTask

        task: Task = LanguageModelTask(preset_name, overrides)
    else:
        from builders.engine.task_image import ImageTask

        task = ImageTask(space, preset_name, overrides)
    task.set_device(device)
    return task
