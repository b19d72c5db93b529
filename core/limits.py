"""Every limit a user can run into, in one place (the UI, the API validators and the docs all read these)."""

MAX_PROMPT_CHARS = 2_000  # longer prompts are refused, not truncated: the user should know
MAX_NEW_TOKENS = 1_000
MAX_SEED = 2**63 - 1  # seeds are 0 .. 2**63-1 (what torch.Generator.manual_seed accepts)
MAX_TEMPERATURE = 5.0
MAX_TOP_K = 1_000  # larger values are the same as 0 (off) for a small vocabulary; refuse them to keep messages clear
MIN_REPETITION_PENALTY, MAX_REPETITION_PENALTY = 1.0, 3.0
NEXT_TOKEN_CANDIDATES = 10  # bars shown for the next-token distribution

MAX_PSI = 2.0  # truncation / noise scale of the GAN latent
MAX_DIRECTION = 10.0  # |value| of a direction slider, in standard deviations of that direction
MAX_GRID_IMAGES = 64
MAX_INTERPOLATION_FRAMES = 60
