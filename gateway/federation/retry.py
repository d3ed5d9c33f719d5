"""A retry budget: reads may be retried once, but retries stay a small share of all calls, so
a struggling source is not hit twice as hard exactly when it can least afford it."""


class RetryBudget:
    """A token bucket: every call earns `ratio` of a retry; a retry spends one whole token."""

    def __init__(self, ratio: float = 0.2, initial: float = 3.0, cap: float = 10.0) -> None:
        self.ratio = ratio
        self.cap = cap
        self._tokens = initial

    def record_call(self) -> None:
        self._tokens = min(self.cap, self._tokens + self.ratio)

    def try_spend(self) -> bool:
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False
