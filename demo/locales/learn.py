"""The GPT learns tab's (Watch it learn, Train on your text) strings in both languages, and the figures of Watch it
learn's fixed draws that its words name (demo/gpt_learning_handlers.py uses them)."""
from __future__ import annotations

MAX_PROMPT_CHARS = 200  # each submit continues the prompt at every snapshot: keep it short
NEW_CHARS = 150  # the continuation at each step: enough for a line or two of verse
TEMPERATURE = 0.8
SEED = 1  # one seed for every step, so two steps differ only by the training between them
# Train on your text: core/gpt/train_quick.py's MIN_TEXT_CHARS and MAX_TEXT_CHARS (it imports torch, this catalog
# does not; tests/test_app_own_text.py checks that they agree)
TEXT_CHARS = (1_000, 300_000)

LEARN: dict[str, dict[str, str]] = {
    # Watch it learn
    'learn.missing_title': {
        'en': "### The GPT's training snapshots are not available",
        'zh-CN': '### GPT 的训练快照不可用',
    },
    'learn.missing_none': {'en': 'No snapshot pack loaded.', 'zh-CN': '没有加载快照包。'},
    'learn.missing_make': {'en': 'Make them with', 'zh-CN': '可以用这条命令生成'},
    'learn.explain': {
        'en': 'One real training run of the shipped GPT, kept at {count} points from step 0 to step {last:,}. Move the slider: the same prompt and seed, continued by the model as it was at that step. At step 0 every character is about equally likely (a loss of ln {vocab} ≈ {uniform:.2f} nats per character: noise); then come letters, words, names and line breaks, and at last something like verse. The held-out loss is measured on plays the model never trained on, in nats per character (lower is better).',
        'zh-CN': '这是内置 GPT 的一次真实训练，从第 0 步到第 {last:,} 步共保存了 {count} 个快照。拖动滑块：同样的提示词和种子（seed），由模型在那一步时的样子来续写。第 0 步时每个字符的可能性差不多相等（损失（loss）为 ln {vocab} ≈ {uniform:.2f} 奈特/字符：纯噪声）；随后出现字母、单词、人名和换行，最后写出有点像诗句的文字。留出集损失（held-out loss）是在模型从未训练过的剧本上测得的，单位是每字符奈特（nats per character），越低越好。',
    },
    'learn.snapshot_label': {
        'en': 'Snapshot of the run (1 = step 0; the line below gives its step)',
        'zh-CN': '训练过程中的快照（1 = 第 0 步；下面一行给出它是第几步）',
    },
    'learn.inside': {'en': 'Look inside this snapshot', 'zh-CN': '查看这个快照的内部'},
    'learn.text_label': {'en': 'The prompt continued at this step', 'zh-CN': '这一步的模型对提示词的续写'},
    'learn.how': {
        'en': f'{NEW_CHARS} characters at temperature {TEMPERATURE:g}, seed {SEED}: the same draws at every step, so what changes is the model.',
        'zh-CN': f'以温度（temperature）{TEMPERATURE:g}、种子 {SEED} 生成 {NEW_CHARS} 个字符：每一步的随机抽取都相同，所以变化的只是模型。',
    },
    'learn.prompt_label': {
        'en': f'Prompt (up to {MAX_PROMPT_CHARS} characters), continued at every step',
        'zh-CN': f'提示词（最多 {MAX_PROMPT_CHARS} 个字符），在每一步都续写',
    },
    'learn.run': {'en': 'Continue at every step', 'zh-CN': '在每一步续写'},
    'learn.bars_label': {
        'en': 'Next character after the prompt at this step (temperature 1)',
        'zh-CN': '这一步提示词之后的下一个字符（温度为 1）',
    },
    'learn.caption_step': {'en': '<b>Step {step:,}</b> of {last:,}', 'zh-CN': '第 <b>{step:,}</b> 步（共 {last:,} 步）'},
    'learn.caption_untrained': {'en': ' (untrained)', 'zh-CN': '（未训练）'},
    'learn.caption_loss': {
        'en': 'held-out loss <b>{loss:.2f}</b> nats per character (as if choosing among {choices:.1f} characters)',
        'zh-CN': '留出集损失 <b>{loss:.2f}</b> 奈特/字符（相当于在 {choices:.1f} 个字符里挑选）',
    },
    'learn.caption_train': {'en': 'training loss {loss:.2f}', 'zh-CN': '训练损失 {loss:.2f}'},
    'learn.caption_shipped': {'en': 'the shipped GPT: {loss:.2f}', 'zh-CN': '内置 GPT：{loss:.2f}'},
    'learn.plot_title': {'en': 'loss against training step', 'zh-CN': '损失随训练步数的变化'},
    'learn.plot_axis': {'en': 'training step (square-root scale)', 'zh-CN': '训练步数（平方根刻度）'},
    'learn.plot_noise': {'en': 'ln {vocab} ≈ {uniform:.2f}: noise', 'zh-CN': 'ln {vocab} ≈ {uniform:.2f}：噪声'},
    'learn.plot_shipped': {'en': 'shipped GPT {loss:.2f}', 'zh-CN': '内置 GPT {loss:.2f}'},
    'learn.plot_train': {'en': 'training loss', 'zh-CN': '训练损失'},
    'learn.plot_held_out': {'en': 'held-out loss (snapshots)', 'zh-CN': '留出集损失（快照）'},
    'learn.plot_dot': {'en': 'step {step:,}: held-out {loss:.3f}', 'zh-CN': '第 {step:,} 步：留出集损失 {loss:.3f}'},
    'learn.plot_mark': {'en': 'step {step:,}', 'zh-CN': '第 {step:,} 步'},
    'learn.error_no_step': {
        'en': 'There is no snapshot at step {step:,}; the snapshots are at steps {steps}.',
        'zh-CN': '第 {step:,} 步没有快照；快照在这些步：{steps}。',
    },
    'learn.error_prompt_long': {
        'en': f'The prompt has {{count:,}} characters; here the limit is {MAX_PROMPT_CHARS} (it is continued at every snapshot). Shorten it.',
        'zh-CN': f'提示词有 {{count:,}} 个字符；这里的上限是 {MAX_PROMPT_CHARS} 个（每个快照都要续写它）。请缩短。',
    },
}

# Train on your text
LEARN.update({
    'own.intro': {
        'en': "### Train a GPT on your text\nPaste a text (or pick a sample), choose a size and press **Train**: a small GPT learns it here, on this server's CPU, in front of you. The model reads characters, so any language works as it is. Each visitor may train a few minutes in all; two trainings run at once on this server.",
        'zh-CN': '### 用你的文本训练一个 GPT\n粘贴一段文本（或选一个示例），选好模型大小，然后点击**训练**：一个小 GPT 就在这台服务器的 CPU 上、当着你的面学习它。模型按字符读取，所以任何语言都能直接使用，中文也可以。每位访客总共可以训练几分钟；这台服务器同时最多运行两个训练。',
    },
    'own.samples_label': {'en': 'Start from a sample', 'zh-CN': '从示例开始'},
    'own.samples_info': {'en': 'public-domain texts bundled with the app', 'zh-CN': '应用自带的公有领域文本'},
    'own.text_label': {'en': f'Your text ({TEXT_CHARS[0]:,} to {TEXT_CHARS[1]:,} characters)',
                       'zh-CN': f'你的文本（{TEXT_CHARS[0]:,} 到 {TEXT_CHARS[1]:,} 个字符）'},
    'own.text_placeholder': {'en': 'Paste a text here, or pick a sample above.', 'zh-CN': '在这里粘贴文本，或者在上面选一个示例。'},
    'own.sample.macbeth': {'en': 'Shakespeare, Macbeth (English, 100 k characters)', 'zh-CN': '莎士比亚《麦克白》（英文，10 万字符）'},
    'own.sample.tang300': {'en': '300 Tang poems (Chinese, 30 k characters)', 'zh-CN': '唐诗三百首（中文，3 万字符）'},
    'own.sample.song100': {'en': '95 Song lyrics (Chinese, 10 k characters)', 'zh-CN': '宋词 95 首（中文，1 万字符）'},
    'own.size_label': {'en': 'Model size', 'zh-CN': '模型大小'},
    'own.size_choice': {
        'en': '{name}: {layers} layers, width {width}, window {window}',
        'zh-CN': '{name}：{layers} 层，宽度 {width}，窗口 {window}',
    },
    'own.seed_label': {'en': 'Seed', 'zh-CN': '种子（seed）'},
    'own.seed_info': {'en': '0 to 4294967295', 'zh-CN': '0 到 4294967295'},
    'own.train': {'en': 'Train', 'zh-CN': '训练'},
    'own.stop': {'en': 'Stop', 'zh-CN': '停止'},
    'own.continue': {'en': 'Continue', 'zh-CN': '继续训练'},
    'own.sample_heading': {
        'en': '**Sample** (the same prompt and seed every few seconds: the start of the held-out text, continued by the best model so far)',
        'zh-CN': '**样例**（每隔几秒用同样的提示词和种子生成：留出文本的开头，由目前最好的模型续写）',
    },
    'own.download': {'en': 'Download your model (.zip)', 'zh-CN': '下载你的模型（.zip）'},
    'own.explain': {
        'en': "The loss is the model's surprise at the next character, $-\\ln p(\\text{next})$, averaged, in nats per character (lower is better). The grey line is the text's **unigram entropy** $-\\sum_c f_c \\ln f_c$: the loss of a model that knows only how often each character occurs. Below it, the model has learned something about order: which characters follow which.",
        'zh-CN': '损失（loss）是模型对下一个字符的“意外程度” $-\\ln p(\\text{next})$ 的平均值，单位是每字符奈特（nats per character），越低越好。灰线是这段文本的**一元熵（unigram entropy）** $-\\sum_c f_c \\ln f_c$：一个只知道每个字符出现频率的模型的损失。低于这条线，说明模型学到了一些关于顺序的知识：哪些字符后面跟着哪些字符。',
    },
    'own.recipe_title': {
        'en': 'The first step of the recipe, shown: the text as the model sees it',
        'zh-CN': '训练配方的第一步：模型眼中的文本',
    },
    'own.recipe_empty': {
        'en': '<p>Press <b>Train</b>: the vocabulary, the split and one batch of your text appear here.</p>',
        'zh-CN': '<p>点击<b>训练</b>：你的文本的词表、划分和一个批次（batch）会显示在这里。</p>',
    },
    'own.state_running': {'en': 'Training', 'zh-CN': '训练中'},
    'own.state_stopped': {'en': 'Stopped', 'zh-CN': '已停止'},
    'own.state_capped': {'en': 'Time is up', 'zh-CN': '时间已用完'},
    'own.state_failed': {'en': 'Training failed', 'zh-CN': '训练失败'},
    'own.status': {
        'en': '**{state}**: step {steps:,} · {rate:.1f} steps a second · held-out loss **{best:.2f}** (best, at step {best_step:,}; {gap:.2f} {side} the unigram line {unigram:.2f}) · {seconds:.0f} of {cap:.0f} s of training used',
        'zh-CN': '**{state}**：第 {steps:,} 步 · 每秒 {rate:.1f} 步 · 留出集损失 **{best:.2f}**（最好，在第 {best_step:,} 步；{side}一元熵线 {unigram:.2f} {gap:.2f}）· 已用训练时间 {seconds:.0f} / {cap:.0f} 秒',
    },
    'own.below': {'en': 'below', 'zh-CN': '低于'},
    'own.above': {'en': 'above', 'zh-CN': '高于'},
    'own.failed': {'en': 'The training failed; press **Train** to start again.', 'zh-CN': '训练失败；请点击**训练**重新开始。'},
    'own.more': {'en': 'Press **Continue** to train it further.', 'zh-CN': '点击**继续训练**可以接着训练。'},
    'own.used_up': {'en': 'This session has used its {cap:.0f} s of training.', 'zh-CN': '本次会话的 {cap:.0f} 秒训练时间已用完。'},
    'own.ready': {
        'en': 'Your model (held-out loss {best:.2f}, the best weights, from step {step:,}) is ready: choose **Your model** in the Text tab to write with it, or download it below. {more}',
        'zh-CN': '你的模型已就绪（留出集损失 {best:.2f}，取第 {step:,} 步的最佳权重）：在“文本”标签页选择**你的模型**就能用它写作，也可以在下方下载。{more}',
    },
    'own.chart_title': {'en': 'loss against training step', 'zh-CN': '损失随训练步数的变化'},
    'own.chart_axis': {'en': 'training step', 'zh-CN': '训练步数'},
    'own.chart_unigram': {'en': 'unigram entropy {value:.2f}: the line to beat', 'zh-CN': '一元熵 {value:.2f}：要超越的线'},
    'own.chart_train': {'en': 'training loss', 'zh-CN': '训练损失'},
    'own.chart_held_out': {'en': 'held-out loss', 'zh-CN': '留出集损失'},
    'own.chart_dot': {'en': 'step {step:,}: held-out {loss:.3f}', 'zh-CN': '第 {step:,} 步：留出集损失 {loss:.3f}'},
    'own.recipe_vocab': {
        'en': '1. Text to numbers: {count:,} distinct characters, one index each',
        'zh-CN': '1. 文本变数字：{count:,} 个不同的字符，每个一个编号',
    },
    'own.recipe_vocab_note': {
        'en': 'Indices in sorted order; the {shown} most frequent of {count:,} shown (␣ space, ↵ line break).',
        'zh-CN': '编号按字符排序；这里显示 {count:,} 个字符中出现最多的 {shown} 个（␣ 是空格，↵ 是换行）。',
    },
    'own.recipe_char': {'en': 'char', 'zh-CN': '字符'},
    'own.recipe_index': {'en': 'index', 'zh-CN': '编号'},
    'own.recipe_count': {'en': 'count', 'zh-CN': '次数'},
    'own.recipe_split': {
        'en': '2. Split: {train:,} characters to train on, the last {held:,} held out',
        'zh-CN': '2. 划分：{train:,} 个字符用来训练，最后 {held:,} 个留出',
    },
    'own.recipe_train_share': {'en': 'train {share:.0%}', 'zh-CN': '训练 {share:.0%}'},
    'own.recipe_held': {'en': 'held out', 'zh-CN': '留出'},
    'own.recipe_split_note': {
        'en': 'The model never trains on the held-out part; its loss there says how well it does on text it has not seen.',
        'zh-CN': '模型从不在留出部分上训练；它在那里的损失说明它对没见过的文本表现如何。',
    },
    'own.recipe_batch': {
        'en': '3. One batch as the model sees it: the target at each position is the next character',
        'zh-CN': '3. 模型眼中的一个批次：每个位置的目标就是下一个字符',
    },
    'own.recipe_input': {'en': 'input {n}', 'zh-CN': '输入 {n}'},
    'own.recipe_target': {'en': 'target', 'zh-CN': '目标'},
    'own.error_sample': {'en': 'Choose one of the samples: {titles}.', 'zh-CN': '请从这些示例中选择一个：{titles}。'},
})
