# multiprocessing.Pool: workers are forked, and terminated with
# kill(worker, SIGTERM) when the pool closes while one is still alive.
import fcntl
import multiprocessing as mp
import sys


def square(x):
    return x * x


if __name__ == "__main__":
    with open(sys.argv[1], "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
    with mp.Pool(4) as pool:
        print(sum(pool.map(square, range(1000))))
