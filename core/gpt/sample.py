"""Write text from a GPT checkpoint, streamed to the terminal as it is produced.

python -m core.gpt.sample --prompt "ROMEO:" --temperature 0.8 --top-k 40 --seed 1
"""
from __future__ import annotations

import argparse
import sys

from core.checkpoints import CheckpointError
from core.gpt.io import load_gpt
from core.gpt.knobs import SamplingKnobs, validate_knobs
from core.gpt.sampling import Sampler
from core.validation import KnobError

DEFAULTS = SamplingKnobs()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default="checkpoints/gpt-shakespeare")
    parser.add_argument("--prompt", default="ROMEO:")
    parser.add_argument("--temperature", default=DEFAULTS.temperature, help="0 = greedy")
    parser.add_argument("--top-k", default=DEFAULTS.top_k, help="0 = off")
    parser.add_argument("--top-p", default=DEFAULTS.top_p, help="1 = off")
    parser.add_argument("--repetition-penalty", default=DEFAULTS.repetition_penalty, help="1 = off")
    parser.add_argument("--max-new-tokens", default=DEFAULTS.max_new_tokens)
    parser.add_argument("--seed", default=DEFAULTS.seed)
    args = parser.parse_args(argv)
    try:
        knobs = validate_knobs(args.temperature, args.top_k, args.top_p, args.repetition_penalty, args.max_new_tokens, args.seed)
        loaded = load_gpt(args.checkpoint)
        sys.stdout.write(args.prompt)
        for piece in Sampler(loaded.model, loaded.tokenizer).stream(args.prompt, knobs):
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")
    except (KnobError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
