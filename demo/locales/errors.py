"""The refusals' strings in both languages: core's KnobError messages by their keys (the English is core's message,
word for word: the API and the command line show it; tests/test_errors_i18n.py checks it), the knobs' names that
those messages quote, and the notice a tab shows when its model is missing.

A message's {fields} are the values core raised it with, already formatted as the English shows them (numbers with
their thousands separators), so both languages read the same figures. In Chinese a knob's name is quoted (“温度”),
which reads naturally whatever the name is (温度, top-k, x)."""
from __future__ import annotations

import re

# The knobs' names as core's and the handlers' validators call them (as_float("temperature", ...)), lower-cased, and
# how a note on the page says them in each language other than English (which shows them as they are).
KNOB_NAMES: dict[str, dict[str, str]] = {
    "temperature": {"zh-CN": "温度"},
    "top_k": {"zh-CN": "top-k"},
    "top_p": {"zh-CN": "top-p"},
    "repetition_penalty": {"zh-CN": "重复惩罚"},
    "max_new_tokens": {"zh-CN": "新字符数"},
    "seed": {"zh-CN": "种子"},
    "first seed": {"zh-CN": "起始种子"},
    "seed a": {"zh-CN": "种子 A"},
    "seed b": {"zh-CN": "种子 B"},
    "episode seed": {"zh-CN": "回合种子"},
    "psi (truncation)": {"zh-CN": "截断 ψ"},
    "class": {"zh-CN": "类别"},
    "grid size": {"zh-CN": "网格大小"},
    "frames": {"zh-CN": "帧数"},
    "scale": {"zh-CN": "放大倍数"},
    "frame duration (ms)": {"zh-CN": "每帧时长（毫秒）"},
    "tile": {"zh-CN": "图块"},
    "snapshot": {"zh-CN": "快照"},
    "training step": {"zh-CN": "训练步数"},
    "step": {"zh-CN": "步"},
    "step (the character whose drawing is shown)": {"zh-CN": "步（显示其抽取过程的那个字符）"},
    "layer": {"zh-CN": "层"},
    "head": {"zh-CN": "注意力头"},
    "data set": {"zh-CN": "数据集"},
    "loss": {"zh-CN": "损失"},
    "optimiser": {"zh-CN": "优化器"},
    "g's learning rate": {"zh-CN": "G 的学习率"},
    "d's learning rate": {"zh-CN": "D 的学习率"},
    "d steps per g step": {"zh-CN": "每步 G 对应的 D 步数"},
    "steps per frame": {"zh-CN": "每帧步数"},
    "policy temperature": {"zh-CN": "策略温度"},
    "gravity": {"zh-CN": "重力"},
    "wind strength": {"zh-CN": "风力"},
    "turbulence": {"zh-CN": "湍流"},
}
# Names with a number in them: "direction 3" (the third direction slider), "move 3" (its preview's step).
NUMBERED_KNOBS: dict[str, dict[str, str]] = {
    "direction": {"zh-CN": "方向 {n}"},
    "move": {"zh-CN": "方向 {n} 的移动量"},
}
_NUMBERED = re.compile(r"(?P<stem>[a-z]+) (?P<n>\d+)")


def knob_name(name: str, lang: str) -> str:
    """A knob's name as a note in `lang` says it; English, or a name the table lacks (a command-line flag such as
    --steps, or a new knob), as it is."""
    key = name.strip().lower()
    if key in KNOB_NAMES:
        return KNOB_NAMES[key].get(lang, name)
    numbered = _NUMBERED.fullmatch(key)
    if numbered and numbered["stem"] in NUMBERED_KNOBS:
        return NUMBERED_KNOBS[numbered["stem"]].get(lang, "{stem} {n}").format(**numbered.groupdict())
    return name


# missing_model_notice (demo/errors.py): the model and its training command -> the notice's catalog key.
MISSING_MODELS: dict[tuple[str, str], str] = {
    ("GPT", "python -m core.gpt.train"): "errors.missing_gpt",
    ("GAN", "python -m core.gan.train"): "errors.missing_gan",
    ("reinforcement-learning agent", "python -m core.rl.ppo"): "errors.missing_agent",
}
_HUB = "`--hub-repo user/name`"

ERRORS: dict[str, dict[str, str]] = {
    # core/validation.py: every knob's range, type and choice ({name}: knob_name)
    "errors.number": {
        "en": "{name} must be a number from {low} to {high}; got {got}.",
        "zh-CN": "“{name}”必须是 {low} 到 {high} 之间的数；收到的是 {got}。",
    },
    "errors.number_type": {
        "en": "{name} must be a number from {low} to {high}; got a {kind}.",
        "zh-CN": "“{name}”必须是 {low} 到 {high} 之间的数；收到的是 {kind} 类型的值。",
    },
    "errors.number_finite": {
        "en": "{name} must be a finite number from {low} to {high}; got {got}.",
        "zh-CN": "“{name}”必须是 {low} 到 {high} 之间的有限数；收到的是 {got}。",
    },
    "errors.range": {
        "en": "{name} must be from {low} to {high}; got {got}.",
        "zh-CN": "“{name}”必须在 {low} 到 {high} 之间；收到的是 {got}。",
    },
    "errors.whole_number": {
        "en": "{name} must be a whole number from {low} to {high}; got {got}.",
        "zh-CN": "“{name}”必须是 {low} 到 {high} 之间的整数；收到的是 {got}。",
    },
    "errors.whole_number_type": {
        "en": "{name} must be a whole number from {low} to {high}; got a {kind}.",
        "zh-CN": "“{name}”必须是 {low} 到 {high} 之间的整数；收到的是 {kind} 类型的值。",
    },
    "errors.choice": {
        "en": "{name} must be one of {choices}; got {got}.",
        "zh-CN": "“{name}”必须是以下之一：{choices}；收到的是 {got}。",
    },
    # core/gpt: the prompt, the sampling knobs, the text Inside the GPT traces, a quick training's text and size
    "errors.prompt_type": {
        "en": "The prompt must be text; got a {kind}.",
        "zh-CN": "提示词（prompt）必须是文本；收到的是 {kind} 类型的值。",
    },
    "errors.prompt_empty": {
        "en": "The prompt is empty; type at least one character, for example 'ROMEO:'.",
        "zh-CN": "提示词是空的；请至少输入一个字符，例如“ROMEO:”。",
    },
    "errors.prompt_long": {
        "en": "The prompt has {count} characters; the limit is {limit}. Shorten it.",
        "zh-CN": "提示词有 {count} 个字符，上限是 {limit} 个。请把它缩短。",
    },
    "errors.unknown_characters": {
        "en": "The model does not know {count} character(s) in the prompt: {shown}. Remove or replace them; the model "
              "knows plain English letters, digits, spaces, newlines and common punctuation.",
        "zh-CN": "模型不认识提示词中的 {count} 个字符：{shown}。请删除或替换它们；这个模型只认识普通的英文字母、数字、空格、"
                 "换行和常见标点。",
    },
    "errors.top_p_zero": {
        "en": "top_p must be above 0 and at most 1 (1 = off); got 0.",
        "zh-CN": "top-p 必须大于 0 且不超过 1（1 表示不启用）；收到的是 0。",
    },
    "errors.text_empty": {
        "en": "The text is empty; type at least one character, for example 'ROMEO:'.",
        "zh-CN": "文本是空的；请至少输入一个字符，例如“ROMEO:”。",
    },
    "errors.training_text_type": {
        "en": "The training text must be text; got a {kind}.",
        "zh-CN": "训练文本必须是文本；收到的是 {kind} 类型的值。",
    },
    "errors.training_text_short": {
        "en": "The text has {count} characters; give at least {low} (up to {high}) so that a tenth of it can be held "
              "out to measure the model.",
        "zh-CN": "这段文本有 {count} 个字符；请至少提供 {low} 个（最多 {high} 个），这样才能留出十分之一用来衡量模型。",
    },
    "errors.training_text_long": {
        "en": "The text has {count} characters; the limit is {limit}. Use a shorter part of it.",
        "zh-CN": "这段文本有 {count} 个字符，上限是 {limit} 个。请只用其中较短的一部分。",
    },
    "errors.training_text_vocab": {
        "en": "The text has {count} distinct characters; the limit is {limit}.",
        "zh-CN": "这段文本有 {count} 个不同的字符，上限是 {limit} 个。",
    },
    "errors.training_text_single": {
        "en": "The text repeats a single character; there is nothing to learn. Paste a real text.",
        "zh-CN": "这段文本只是在重复同一个字符，没有什么可学的。请粘贴一段真正的文本。",
    },
    "errors.model_size": {
        "en": "The model size must be one of {choices}; got {got}.",
        "zh-CN": "模型大小必须是以下之一：{choices}；收到的是 {got}。",
    },
    # core/gan: the image knobs, the snapshots, the real-or-fake game, the GAN playground's sessions
    "errors.directions_type": {
        "en": "directions must be a list of up to {count} numbers from {low} to {high}; got a {kind}.",
        "zh-CN": "方向（directions）必须是一个列表，最多 {count} 个数，每个在 {low} 到 {high} 之间；收到的是 {kind} 类型的值。",
    },
    "errors.directions_count": {
        "en": "directions takes at most {count} values (one per slider); got {got}.",
        "zh-CN": "方向（directions）最多取 {count} 个值（每个滑块一个）；收到了 {got} 个。",
    },
    "errors.directions_extra": {
        "en": "this model has {count} direction sliders; got a non-zero value for slider {next} or later.",
        "zh-CN": "这个模型只有 {count} 个方向滑块；第 {next} 个及之后的滑块却收到了非零值。",
    },
    "errors.image_knobs": {
        "en": "image() takes ImageKnobs (see validate_image_knobs); got a {kind}.",
        "zh-CN": "image() 需要 ImageKnobs（见 validate_image_knobs）；收到的是 {kind}。",
    },
    "errors.moves_count": {
        "en": "along_directions takes one move per direction ({count}); got {got}.",
        "zh-CN": "along_directions 需要每个方向一个移动量（共 {count} 个）；收到了 {got} 个。",
    },
    "errors.gif_no_frames": {
        "en": "frames_to_gif needs at least one frame.",
        "zh-CN": "frames_to_gif 至少需要一帧。",
    },
    "errors.snapshot_step": {
        "en": "training step must be one of the snapshots' steps ({steps}); got {got}.",
        "zh-CN": "训练步数必须是某个快照所在的步数（{steps}）；收到的是 {got}。",
    },
    "errors.cli_entries": {
        "en": "--{what} takes {count} non-empty entries separated by '|'; got {got}",
        "zh-CN": "--{what} 需要 {count} 个用“|”分隔的非空条目；收到了 {got} 个",
    },
    "errors.game_no_round": {
        "en": "No round to answer: press 'New round' first.",
        "zh-CN": "还没有可以作答的一轮：请先按“新一轮”（New round）。",
    },
    "errors.game_expired": {
        "en": "That round is unknown or expired (rounds last an hour): press 'New round'.",
        "zh-CN": "这一轮不存在或已过期（每轮保留一小时）：请按“新一轮”（New round）。",
    },
    "errors.game_positions": {
        "en": "Mark images by their positions 0 to {last}; got {got}.",
        "zh-CN": "请用图像的位置 0 到 {last} 来标记；收到的是 {got}。",
    },
    "errors.toy_session": {
        "en": "This needs a browser session; reload the page.",
        "zh-CN": "这需要一个浏览器会话；请重新加载页面。",
    },
    "errors.toy_cap": {
        "en": "This GAN has trained its {steps} steps (the cap per session): press Reset.",
        "zh-CN": "这个 GAN 已经训练满 {steps} 步（每个会话的上限）：请按“重置”（Reset）。",
    },
    "errors.toy_busy": {
        "en": "Busy: {count} sessions are training a GAN right now (the limit on this server). Try again in a moment, "
              "or use 'One step'.",
        "zh-CN": "正忙：此刻已有 {count} 个会话在训练 GAN（这台服务器的上限）。请稍后再试，或者用“单步”（One step）。",
    },
    # core/rl: the agent's snapshot and the wind switch
    "errors.rl_snapshot": {
        "en": "Training progress must be one of the saved snapshots: {names}; got {got}.",
        "zh-CN": "训练进度必须是已保存的快照之一：{names}；收到的是 {got}。",
    },
    "errors.wind": {
        "en": "Wind must be true or false; got {got}.",
        "zh-CN": "风（wind）必须是 true 或 false；收到的是 {got}。",
    },
    # missing_model_notice (demo/errors.py): a tab whose checkpoint could not be loaded
    "errors.missing_gpt": {
        "en": f"### The GPT is not available\n\nTrain it with `python -m core.gpt.train` or start the app with {_HUB}.",
        "zh-CN": f"### GPT 模型不可用\n\n用 `python -m core.gpt.train` 训练它，或者用 {_HUB} 启动应用。",
    },
    "errors.missing_gan": {
        "en": f"### The GAN is not available\n\nTrain it with `python -m core.gan.train` or start the app with {_HUB}.",
        "zh-CN": f"### GAN 模型不可用\n\n用 `python -m core.gan.train` 训练它，或者用 {_HUB} 启动应用。",
    },
    "errors.missing_agent": {
        "en": f"### The reinforcement-learning agent is not available\n\nTrain it with `python -m core.rl.ppo` or start "
              f"the app with {_HUB}.",
        "zh-CN": f"### 强化学习智能体（agent）不可用\n\n用 `python -m core.rl.ppo` 训练它，或者用 {_HUB} 启动应用。",
    },
    "errors.missing_model": {
        "en": f"### This model is not available\n\nTrain it with the command below or start the app with {_HUB}.",
        "zh-CN": f"### 这个模型不可用\n\n用下面的命令训练它，或者用 {_HUB} 启动应用。",
    },
}
