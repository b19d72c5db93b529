"""Every limit a user can run into, in one place (the UI, the API validators and the docs all read these)."""

MAX_PROMPT_CHARS = 2_000  # longer prompts are refused, not truncated: the user should know
MAX_NEW_TOKENS = 1_000
# One seed range for every model, page and API: 0 .. 2**32-1. A browser's numbers are exact there (so the largest
# seed can be typed and is echoed back as typed), and every generator the models use accepts it.
MAX_SEED = 2**32 - 1
SEED_RANGE_TEXT = f"0 to {MAX_SEED}"
MAX_TEMPERATURE = 5.0
MAX_TOP_K = 1_000  # larger values are the same as 0 (off) for a small vocabulary; refuse them to keep messages clear
MIN_REPETITION_PENALTY, MAX_REPETITION_PENALTY = 1.0, 3.0
NEXT_TOKEN_CANDIDATES = 10  # bars shown for the next-token distribution

MAX_PSI = 2.0  # truncation / noise scale of the GAN latent
MAX_DIRECTION = 10.0  # |value| of a direction slider, in standard deviations of that direction
MAX_GRID_IMAGES = 64
MAX_INTERPOLATION_FRAMES = 60

MAX_POLICY_TEMPERATURE = 5.0  # the RL agent's softmax(logits / T); at 5 the 4 actions are close to uniform
MIN_GRAVITY, MAX_GRAVITY = -11.99, -0.01  # LunarLander-v3 asserts -12 < gravity < 0 (default -10)
MAX_WIND_POWER = 20.0  # gymnasium's recommended range 0..20 (default 15)
MAX_TURBULENCE_POWER = 2.0  # gymnasium's recommended range 0..2 (default 1.5)

MAX_FLYING = 4  # Fly it yourself: flights at once, each a stream holding a worker of the "fly" group (serve/flights.py)
MAX_TOY_GAN_PLAYING = 3  # browser sessions training the 2-D GAN at once (each ~10-15% of a core at 12 frames a second)
MAX_TOY_GAN_STEPS = 20_000  # G steps per session before Reset (about 7 minutes at 5 steps a frame)
