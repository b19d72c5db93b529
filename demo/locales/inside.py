"""Inside the GPT's strings in both languages. It counts one way: a step is the position of the character it
draws, positions counting the text's characters from 0."""
from __future__ import annotations

GRID_SPAN = 48  # the model view's last characters; demo/inside_render.py draws it, the caption below names it

INSIDE: dict[str, dict[str, str]] = {
    'inside.step_label': {
        'en': 'Step = position of the drawn character (counting from 0)',
        'zh-CN': '步 = 所生成字符的位置（从 0 开始计数）',
    },
    'inside.worked_heading': {
        'en': "**Step {step}: character {step} is drawn, predicted from character {query}, “{char}”** (a step is the position of the character it draws; positions count the text from 0, so step {step} draws the text's character number {nth}).",
        'zh-CN': '**第 {step} 步：生成位置 {step} 的字符，由位置 {query} 的字符“{char}”预测**（步就是它所生成字符的位置；位置从 0 开始计数，所以第 {step} 步生成的是文本的第 {nth} 个字符）。',
    },
    'inside.grid_axes': {
        'en': 'Rows are the layers, numbered down the left; columns are the heads, numbered along the top.',
        'zh-CN': '每一行是一层，层号标在左侧；每一列是一个头，头号标在上方。',
    },
}

INSIDE.update({
    'inside.intro': {
        'en': "The model's own numbers for the Text tab's prompt and text. **Click a character** to see the step that drew it; **click a heatmap** (or use the controls) to pick a layer and head.",
        'zh-CN': '这里是模型对“文本”标签页的提示词和文本算出的真实数字。**点击一个字符**，查看生成它的那一步；**点击一张热力图**（或用下面的控件）选择层和注意力头（head）。',
    },
    'inside.text_heading': {
        'en': '**Text** — each generated character coloured by the probability it had when it was drawn (red = surprising, green = expected); the prompt is uncoloured; ▸ = what would come next.',
        'zh-CN': '**文本**：每个生成的字符按它被抽中时的概率着色（红 = 出人意料，绿 = 意料之中）；提示词不着色；▸ = 接下来会出现的字符。',
    },
    'inside.look': {'en': "Look inside the Text tab's text", 'zh-CN': '查看“文本”标签页文本的内部'},
    'inside.model_label': {'en': 'Model', 'zh-CN': '模型'},
    'inside.layer_label': {'en': 'Layer', 'zh-CN': '层（layer）'},
    'inside.head_label': {'en': 'Head', 'zh-CN': '注意力头（head）'},
    'inside.bars_heading': {
        'en': "**That step's bars** — the raw distribution (temperature 1, nothing cut) beside the one the character was drawn from; candidates top-k/top-p removed are greyed, the drawn one highlighted.",
        'zh-CN': '**这一步的概率条**：左边是原始分布（温度为 1，不做截断），右边是实际抽取字符所用的分布；被 top-k/top-p 去掉的候选显示为灰色，抽中的那个高亮。',
    },
    'inside.attention_heading': {
        'en': '**Attention** — where the character before the selected one looks (it predicts it): darker = more weight. Past the window, struck-out characters are ones nothing attends to.',
        'zh-CN': '**注意力（attention）**：所选字符的前一个字符（由它来预测所选字符）在看哪里：颜色越深，权重越大。窗口之外、带删除线的字符没有任何位置关注。',
    },
    'inside.grid_heading': {
        'en': f'**Model view** — every layer (rows) and head (columns), the last {GRID_SPAN} characters; click one to select it.',
        'zh-CN': f'**全模型视图**：每一层（行）和每个头（列），显示最后 {GRID_SPAN} 个字符；点击其中一个即可选中。',
    },
    'inside.big_heading': {
        'en': '**One head, large** — the selected layer and head with the characters on both axes.',
        'zh-CN': '**放大的单个头**：所选的层和头，两条轴上都标出字符。',
    },
    'inside.worked_title': {
        'en': '**Worked example** — the selected position through the selected head, stage by stage, with the real numbers.',
        'zh-CN': '**逐步演算**：所选位置经过所选注意力头的每个阶段，用的都是真实数字。',
    },
    'inside.lens_heading': {
        'en': '**Logit lens** — the top 3 next characters if the model stopped after each layer (the residual stream through the final norm and the tied head): the prediction forming.',
        'zh-CN': '**logit 透镜（logit lens）**：如果模型在每一层之后就停下，排名前 3 的下一个字符（把残差流（residual stream）送进最后的归一化和共享权重的输出头（tied head））：看预测如何逐层成形。',
    },
    'inside.prob_under5': {'en': 'under 5 %', 'zh-CN': '低于 5%'},
    'inside.prob_5_20': {'en': '5-20 %', 'zh-CN': '5%–20%'},
    'inside.prob_20_50': {'en': '20-50 %', 'zh-CN': '20%–50%'},
    'inside.prob_over50': {'en': 'over 50 %', 'zh-CN': '高于 50%'},
    # notes and refusals
    'inside.note_nothing_generated': {
        'en': 'Nothing generated yet: showing the prompt alone. Generate on the Text tab first.',
        'zh-CN': '还没有生成任何文本：只显示提示词。请先在“文本”标签页点击“生成”。',
    },
    'inside.note_edited': {
        'en': 'The text no longer starts with the prompt (it was edited): showing the prompt alone.',
        'zh-CN': '文本已不再以提示词开头（被修改过）：只显示提示词。',
    },
    'inside.text_tail': {
        'en': " (The prompt, text and knobs are the Text tab's; the panels keep showing the last good text.)",
        'zh-CN': '（提示词、文本和旋钮都来自“文本”标签页；各面板继续显示上一次有效的文本。）',
    },
    'inside.error_text_type': {'en': 'The text must be a string; got a {kind}.', 'zh-CN': '文本必须是字符串；收到的是 {kind}。'},
    'inside.error_text_long': {
        'en': 'The text has {count:,} characters; the limit is {limit:,} (prompt + generated).',
        'zh-CN': '文本有 {count:,} 个字符；上限是 {limit:,} 个（提示词 + 生成的部分）。',
    },
    'inside.error_step_zero': {
        'en': 'The first character is given, not predicted: pick a later one (step 1 or more).',
        'zh-CN': '第一个字符是给定的，不是预测出来的：请选后面的字符（第 1 步或之后）。',
    },
    'inside.error_no_char': {
        'en': 'No character was clicked; call /inside_view with the step (1 .. length of the text).',
        'zh-CN': '没有点击任何字符；请用步数（1 到文本长度）调用 /inside_view。',
    },
    'inside.error_no_head': {
        'en': 'No head was clicked; call /inside_view with the layer and head (1 .. {layers} and 1 .. {heads}).',
        'zh-CN': '没有点击任何注意力头；请用层和头（1 到 {layers}，1 到 {heads}）调用 /inside_view。',
    },
    # the panels
    'inside.bars_drew': {
        'en': 'drew <b>{char}</b> with probability {p:.1%}',
        'zh-CN': '以 {p:.1%} 的概率抽中了 <b>{char}</b>',
    },
    'inside.bars_would': {'en': 'would draw next (nothing drawn yet)', 'zh-CN': '接下来会抽取的分布（还没有抽取）'},
    'inside.bars_after': {'en': 'After “…{context}” the model {what}.', 'zh-CN': '在“…{context}”之后，模型{what}。'},
    'inside.bars_raw': {'en': 'raw: T = 1, nothing cut', 'zh-CN': '原始：T = 1，不截断'},
    'inside.bars_drawn_from': {
        'en': 'drawn from: T = {t:g}, top-k {k}, top-p {p:g}',
        'zh-CN': '实际抽取：T = {t:g}，top-k {k}，top-p {p:g}',
    },
    'inside.cut_k': {'en': 'cut by top-k', 'zh-CN': '被 top-k 去掉'},
    'inside.cut_p': {'en': 'cut by top-p', 'zh-CN': '被 top-p 去掉'},
    'inside.shade_head': {'en': 'layer {layer}, head {head}', 'zh-CN': '第 {layer} 层，第 {head} 个头'},
    'inside.shade_mean': {'en': 'layer {layer}, average of the heads', 'zh-CN': '第 {layer} 层，各头的平均'},
    'inside.shade_outside': {'en': 'outside the {window}-character window', 'zh-CN': '在 {window} 个字符的窗口之外'},
    'inside.big_caption': {
        'en': 'Layer {layer}, head {head}: row = the character looking, column = the character looked at (the last {n} positions; darker = more weight; above the diagonal is the future, masked).',
        'zh-CN': '第 {layer} 层，第 {head} 个头：行 = 发出注意的字符，列 = 被注意的字符（最后 {n} 个位置；颜色越深权重越大；对角线以上是未来，被遮蔽）。',
    },
    'inside.big_alt': {'en': 'weights', 'zh-CN': '注意力权重'},
    'inside.lens_header': {'en': '| after layer | 1st | 2nd | 3rd |', 'zh-CN': '| 经过第几层 | 第 1 | 第 2 | 第 3 |'},
    # the worked example (LaTeX stays as it is in both languages)
    'inside.worked_layer': {
        'en': ' Layer {layer}, head {head}; every vector has {width} numbers ({heads} heads of $d_k = {d}$); the first 6 are shown.',
        'zh-CN': '第 {layer} 层，第 {head} 个头；每个向量有 {width} 个数（{heads} 个头，每个 $d_k = {d}$）；这里显示前 6 个。',
    },
    'inside.worked_1': {
        'en': '1. **Embedding** — the row of “{char}” in the embedding table $E$: $x = E[c]$ = `{vec}`',
        'zh-CN': '1. **嵌入（embedding）**：“{char}”在嵌入表 $E$ 中的那一行：$x = E[c]$ = `{vec}`',
    },
    'inside.worked_2_first': {'en': 'is the embedding', 'zh-CN': '就是嵌入向量'},
    'inside.worked_2_after': {'en': 'after layer {prev}', 'zh-CN': '是第 {prev} 层之后的值'},
    'inside.worked_2': {
        'en': '2. **Into layer {layer}** — the residual stream {where}: `{vec}`; it is layer-normalised, then $q = W_Q\\,\\mathrm{{LN}}(x)$, $k = W_K\\,\\mathrm{{LN}}(x)$, $v = W_V\\,\\mathrm{{LN}}(x)$ for head {head}. **RoPE**: positions enter by rotating q and k, each pair of features $i$ by the angle $p\\,{theta}$ at position $p$, so $q\\cdot k$ depends on how far apart they are.',
        'zh-CN': '2. **进入第 {layer} 层**：残差流（residual stream）{where}：`{vec}`；先做层归一化（LayerNorm），再为第 {head} 个头算出 $q = W_Q\\,\\mathrm{{LN}}(x)$、$k = W_K\\,\\mathrm{{LN}}(x)$、$v = W_V\\,\\mathrm{{LN}}(x)$。**旋转位置编码（RoPE）**：位置通过旋转 q 和 k 进入模型，在位置 $p$ 上把第 $i$ 对特征旋转角度 $p\\,{theta}$，于是 $q\\cdot k$ 只取决于两者相隔多远。',
    },
    'inside.worked_3': {
        'en': '3. **Scores** — $s_j = q \\cdot k_j / \\sqrt{{d_k}} = q \\cdot k_j / \\sqrt{{{d}}}$ for each earlier character $j$ (those with the five largest weights): {scores}',
        'zh-CN': '3. **打分**：对前面每个字符 $j$ 计算 $s_j = q \\cdot k_j / \\sqrt{{d_k}} = q \\cdot k_j / \\sqrt{{{d}}}$（这里列出权重最大的五个）：{scores}',
    },
    'inside.worked_4': {
        'en': '4. **Mask** — $s_j = -\\infty$ for the {ahead} characters after this one (the future) and the {back} more than {window} back (the sliding window), so they get weight 0.',
        'zh-CN': '4. **遮蔽（mask）**：对这个字符之后的 {ahead} 个字符（未来）以及往前超过 {window} 个位置的 {back} 个字符（滑动窗口），令 $s_j = -\\infty$，它们的权重因此为 0。',
    },
    'inside.worked_5': {
        'en': "5. **Softmax** — $a_j = e^{{s_j}} / \\sum_{{j'}} e^{{s_{{j'}}}}$ over the {visible} visible characters; the largest: {weights}",
        'zh-CN': "5. **Softmax**：在 {visible} 个可见字符上计算 $a_j = e^{{s_j}} / \\sum_{{j'}} e^{{s_{{j'}}}}$；最大的几个：{weights}",
    },
    'inside.worked_6': {
        'en': "6. **Weighted sum of v** — $o = \\sum_j a_j v_j$ = `{mixed}` (SDPA's own output differs by {gap}). The {heads} heads' outputs are concatenated and projected, $x \\leftarrow x + W_O[o_1; \\dots; o_{heads}]$: `{after}`",
        'zh-CN': '6. **对 v 加权求和**：$o = \\sum_j a_j v_j$ = `{mixed}`（与 SDPA 自己的输出相差 {gap}）。{heads} 个头的输出拼接后再投影，$x \\leftarrow x + W_O[o_1; \\dots; o_{heads}]$：`{after}`',
    },
    'inside.worked_7': {
        'en': '7. **MLP** — $x \\leftarrow x + W_2\\,\\mathrm{{GELU}}(W_1\\,\\mathrm{{LN}}(x))$, adding `{added}`: `{result}`',
        'zh-CN': '7. **前馈层（MLP）**：$x \\leftarrow x + W_2\\,\\mathrm{{GELU}}(W_1\\,\\mathrm{{LN}}(x))$，加上 `{added}`，得到 `{result}`',
    },
    'inside.worked_8': {
        'en': '8. **Logits** — after all {layers} layers, $z = E\\,\\mathrm{{LN}}_f(x)$ (the head is tied to the embedding), one score per character; the largest: {logits}',
        'zh-CN': '8. **logits**：经过全部 {layers} 层之后，$z = E\\,\\mathrm{{LN}}_f(x)$（输出头与嵌入共享权重），每个字符一个分数；最大的几个：{logits}',
    },
    'inside.worked_9': {
        'en': "9. **Probabilities** — $p = \\mathrm{{softmax}}(z / T)$ with $T = {t:g}$, then top-k {k} and top-p {p:g}: {probs} — the Text tab's bars for a prompt ending at “{char}”.",
        'zh-CN': '9. **概率**：$p = \\mathrm{{softmax}}(z / T)$，其中 $T = {t:g}$，再做 top-k {k} 和 top-p {p:g}：{probs}。这正是提示词以“{char}”结尾时“文本”标签页显示的概率条。',
    },
})
