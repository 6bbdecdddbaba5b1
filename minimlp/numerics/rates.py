"""The learning rate of an epoch: the schedules that are a function of the epoch alone, and the names
of all of them (train/schedules.py holds the schedule objects, with the ones updated at an epoch's end).
"""
import math

# Learning-rate schedules: the rate for 0-based epoch t of T epochs after warm-up.
SCHEDULES = {
    "constant": lambda lr, t, T, step_size, gamma, min_lr: lr,
    "step": lambda lr, t, T, step_size, gamma, min_lr: lr * gamma ** (t // step_size),
    "cosine": lambda lr, t, T, step_size, gamma, min_lr: min_lr + (lr - min_lr) * (1 + math.cos(math.pi * t / T)) / 2,
}
# scikit-learn's schedules, updated from an epoch's end (train/schedules.py), and all the names a config may give
END_OF_EPOCH = ("invscaling", "adaptive")
# multicycle (RealMLP's coslog) needs optimizer.cycles: train/schedules.py computes it
SCHEDULE_NAMES = (*SCHEDULES, "multicycle", *END_OF_EPOCH)


def scheduled_lr(schedule, lr, epoch, epochs, warmup_epochs=0, step_size=10, gamma=0.1, min_lr=0.0):
    """The learning rate of 1-based ``epoch``: linear warm-up to ``lr`` over ``warmup_epochs``
    (epoch e gets lr·e/(warmup_epochs+1)), then the named schedule over the epochs left."""
    if epoch <= warmup_epochs:
        return lr * epoch / (warmup_epochs + 1)
    t, T = epoch - warmup_epochs - 1, epochs - warmup_epochs
    return SCHEDULES[schedule](lr, t, T, step_size, gamma, min_lr)
